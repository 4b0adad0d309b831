CREATE TABLE `dividend_events` (
	`asset_id` text NOT NULL,
	`ex_time` integer NOT NULL,
	`amount` real NOT NULL,
	`close_before` real NOT NULL,
	`factor` real NOT NULL,
	`method` text NOT NULL,
	`source` text NOT NULL,
	PRIMARY KEY(`asset_id`, `ex_time`)
);
--> statement-breakpoint
CREATE TABLE `dividend_replay_store` (
	`asset_id` text NOT NULL,
	`ex_time` integer NOT NULL,
	`amount` real NOT NULL,
	`close_before` real NOT NULL,
	`factor` real NOT NULL,
	`method` text NOT NULL,
	`source` text NOT NULL,
	PRIMARY KEY(`asset_id`, `ex_time`)
);
--> statement-breakpoint
CREATE INDEX `dividend_replay_store_time_idx` ON `dividend_replay_store` (`ex_time`);--> statement-breakpoint
CREATE TABLE `dividend_sources` (
	`asset_id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`method` text NOT NULL,
	`basis` text NOT NULL,
	`first_time` integer NOT NULL,
	`last_time` integer NOT NULL,
	`first_factor` real NOT NULL
);
