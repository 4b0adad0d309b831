CREATE TABLE `assets` (
	`id` text PRIMARY KEY NOT NULL,
	`symbol` text NOT NULL,
	`name` text NOT NULL,
	`asset_type` text NOT NULL,
	`sector_id` text,
	`quote_currency` text DEFAULT 'USD' NOT NULL,
	`external_ids` text DEFAULT '{}' NOT NULL,
	`description` text,
	`is_active` integer DEFAULT true NOT NULL,
	`is_supported` integer DEFAULT true NOT NULL,
	`access_count` integer DEFAULT 0 NOT NULL,
	`last_accessed_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assets_symbol_unique` ON `assets` (`symbol`);--> statement-breakpoint
CREATE INDEX `assets_type_idx` ON `assets` (`asset_type`,`is_active`);--> statement-breakpoint
CREATE INDEX `assets_sector_idx` ON `assets` (`sector_id`);--> statement-breakpoint
CREATE TABLE `corporate_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`asset_id` text NOT NULL,
	`action_type` text NOT NULL,
	`ex_date` text NOT NULL,
	`ratio` real NOT NULL,
	`source` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `corporate_actions_unique` ON `corporate_actions` (`asset_id`,`action_type`,`ex_date`);--> statement-breakpoint
CREATE TABLE `data_sources` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`base_url` text,
	`enabled` integer DEFAULT true NOT NULL,
	`last_success_at` text,
	`last_error_at` text,
	`last_error` text,
	`calls_date` text,
	`calls_today` integer DEFAULT 0 NOT NULL,
	`errors_today` integer DEFAULT 0 NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`circuit_state` text DEFAULT 'closed' NOT NULL,
	`circuit_opened_at` text,
	`avg_latency_ms` real,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `market_indicators` (
	`series` text NOT NULL,
	`time` integer NOT NULL,
	`value` real NOT NULL,
	`label` text,
	`source` text NOT NULL,
	PRIMARY KEY(`series`, `time`)
);
--> statement-breakpoint
CREATE TABLE `market_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `price_data` (
	`asset_id` text NOT NULL,
	`timeframe` text NOT NULL,
	`open_time` integer NOT NULL,
	`open` real NOT NULL,
	`high` real NOT NULL,
	`low` real NOT NULL,
	`close` real NOT NULL,
	`volume` real DEFAULT 0 NOT NULL,
	`source` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`asset_id`, `timeframe`, `open_time`)
);
--> statement-breakpoint
CREATE INDEX `price_data_time_idx` ON `price_data` (`timeframe`,`open_time`);--> statement-breakpoint
CREATE TABLE `price_data_archive` (
	`id` text PRIMARY KEY NOT NULL,
	`asset_id` text NOT NULL,
	`timeframe` text NOT NULL,
	`start_time` integer NOT NULL,
	`end_time` integer NOT NULL,
	`rows` integer NOT NULL,
	`r2_key` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `price_data_archive_key_unique` ON `price_data_archive` (`r2_key`);--> statement-breakpoint
CREATE INDEX `price_data_archive_range_idx` ON `price_data_archive` (`asset_id`,`timeframe`,`start_time`);--> statement-breakpoint
CREATE TABLE `quotes` (
	`asset_id` text PRIMARY KEY NOT NULL,
	`price` real NOT NULL,
	`open_24h` real,
	`high_24h` real,
	`low_24h` real,
	`change_24h` real,
	`change_pct_24h` real,
	`volume_24h` real,
	`market_cap` real,
	`source` text NOT NULL,
	`as_of` integer NOT NULL
);
