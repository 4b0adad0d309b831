CREATE TABLE `backtests` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`strategy` text NOT NULL,
	`trading_pair` text NOT NULL,
	`status` text NOT NULL,
	`job_id` text,
	`config` text NOT NULL,
	`input_hash` text,
	`summary` text,
	`trades` text,
	`equity` text,
	`meta` text,
	`error` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`completed_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `backtests_user_idx` ON `backtests` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `bots` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`trading_pair` text NOT NULL,
	`asset_id` text NOT NULL,
	`strategy` text NOT NULL,
	`mode` text DEFAULT 'paper' NOT NULL,
	`status` text DEFAULT 'stopped' NOT NULL,
	`timeframe` text DEFAULT '1d' NOT NULL,
	`risk_per_trade` real,
	`stop_loss` real,
	`take_profit` real,
	`fee_rate` real NOT NULL,
	`slippage` real NOT NULL,
	`indicators` text NOT NULL,
	`parameters` text NOT NULL,
	`initial_balance` real NOT NULL,
	`portfolio_id` text NOT NULL,
	`stop_reason` text,
	`started_at` text,
	`stopped_at` text,
	`last_tick_at` text,
	`deleted_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`portfolio_id`) REFERENCES `portfolios`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `bots_user_idx` ON `bots` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `bots_status_idx` ON `bots` (`status`);--> statement-breakpoint
CREATE TABLE `risk_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`severity` text NOT NULL,
	`message` text NOT NULL,
	`bot_id` text,
	`data` text,
	`dedupe_key` text,
	`acknowledged` integer DEFAULT false NOT NULL,
	`acknowledged_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `risk_alerts_dedupe_key_unique` ON `risk_alerts` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `risk_alerts_user_idx` ON `risk_alerts` (`user_id`,`acknowledged`,`created_at`);--> statement-breakpoint
CREATE TABLE `risk_limits` (
	`user_id` text PRIMARY KEY NOT NULL,
	`max_position_size` real NOT NULL,
	`max_daily_loss` real NOT NULL,
	`max_drawdown` real NOT NULL,
	`max_leverage` real NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `user_integrations` (
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`started_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `name`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
