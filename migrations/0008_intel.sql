CREATE TABLE `asset_metrics` (
	`asset_id` text NOT NULL,
	`metric` text NOT NULL,
	`time` integer NOT NULL,
	`value` real NOT NULL,
	`source` text NOT NULL,
	PRIMARY KEY(`asset_id`, `metric`, `time`)
);
--> statement-breakpoint
CREATE TABLE `intel_replay_store` (
	`target` text NOT NULL,
	`series` text NOT NULL,
	`asset_id` text DEFAULT '' NOT NULL,
	`time` integer NOT NULL,
	`value` real NOT NULL,
	`label` text,
	`source` text NOT NULL,
	PRIMARY KEY(`target`, `series`, `asset_id`, `time`)
);
--> statement-breakpoint
CREATE INDEX `intel_replay_store_time_idx` ON `intel_replay_store` (`time`);