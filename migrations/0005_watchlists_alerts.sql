CREATE TABLE `alert_triggers` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`user_id` text NOT NULL,
	`asset_id` text NOT NULL,
	`triggered_at` integer NOT NULL,
	`price` real NOT NULL,
	`value` real,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_triggers_once` ON `alert_triggers` (`alert_id`,`triggered_at`);--> statement-breakpoint
CREATE INDEX `alert_triggers_user_idx` ON `alert_triggers` (`user_id`,`triggered_at`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`asset_id` text NOT NULL,
	`alert_type` text NOT NULL,
	`params` text NOT NULL,
	`name` text,
	`message` text,
	`is_active` integer DEFAULT true NOT NULL,
	`repeat` integer DEFAULT false NOT NULL,
	`cooldown_seconds` integer DEFAULT 0 NOT NULL,
	`last_state` text,
	`last_evaluated_at` integer,
	`last_triggered_at` integer,
	`trigger_count` integer DEFAULT 0 NOT NULL,
	`source` text DEFAULT 'alerts' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alerts_asset_active_idx` ON `alerts` (`asset_id`,`is_active`);--> statement-breakpoint
CREATE INDEX `alerts_user_idx` ON `alerts` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `watchlist_assets` (
	`watchlist_id` text NOT NULL,
	`asset_id` text NOT NULL,
	`notes` text,
	`position_type` text DEFAULT 'watch' NOT NULL,
	`target_price` real,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`watchlist_id`, `asset_id`)
);
--> statement-breakpoint
CREATE INDEX `watchlist_assets_asset_idx` ON `watchlist_assets` (`asset_id`);--> statement-breakpoint
CREATE TABLE `watchlist_history` (
	`id` text PRIMARY KEY NOT NULL,
	`watchlist_id` text NOT NULL,
	`action` text NOT NULL,
	`details` text,
	`update_reason` text,
	`actor_user_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `watchlist_history_idx` ON `watchlist_history` (`watchlist_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `watchlists` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`name` text NOT NULL,
	`description` text,
	`is_public` integer DEFAULT false NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `watchlists_user_idx` ON `watchlists` (`user_id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `watchlists_default_idx` ON `watchlists` (`is_default`);