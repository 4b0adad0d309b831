CREATE TABLE `replay_candles` (
	`asset_id` text NOT NULL,
	`open_time` integer NOT NULL,
	`open` real NOT NULL,
	`high` real NOT NULL,
	`low` real NOT NULL,
	`close` real NOT NULL,
	`volume` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`asset_id`, `open_time`)
);
--> statement-breakpoint
CREATE INDEX `replay_candles_time_idx` ON `replay_candles` (`open_time`);