CREATE TABLE `ledger_commits` (
	`portfolio_id` text NOT NULL,
	`version` integer NOT NULL,
	`action` text NOT NULL,
	`user_id` text NOT NULL,
	`details` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`portfolio_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `portfolios` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`portfolio_type` text DEFAULT 'personal' NOT NULL,
	`base_currency` text DEFAULT 'USD' NOT NULL,
	`mode` text DEFAULT 'live' NOT NULL,
	`cost_method` text DEFAULT 'wac' NOT NULL,
	`is_public` integer DEFAULT false NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`ledger_version` integer DEFAULT 0 NOT NULL,
	`cash` text DEFAULT '0' NOT NULL,
	`totals` text DEFAULT '{}' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `portfolios_user_idx` ON `portfolios` (`user_id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `portfolios_public_idx` ON `portfolios` (`is_public`);--> statement-breakpoint
CREATE UNIQUE INDEX `portfolios_default_unique` ON `portfolios` (`user_id`,`mode`) WHERE "portfolios"."is_default" = 1 AND "portfolios"."deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `positions` (
	`id` text PRIMARY KEY NOT NULL,
	`portfolio_id` text NOT NULL,
	`asset_id` text,
	`symbol` text NOT NULL,
	`asset_type` text NOT NULL,
	`position_type` text DEFAULT 'LONG' NOT NULL,
	`underlying_asset_id` text,
	`strike` text,
	`expiry` text,
	`multiplier` text DEFAULT '1' NOT NULL,
	`implied_volatility` real,
	`notes` text,
	`allocation_target` real,
	`tags` text DEFAULT '{}' NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`quantity` text DEFAULT '0' NOT NULL,
	`cost_basis` text DEFAULT '0' NOT NULL,
	`avg_cost` text DEFAULT '0' NOT NULL,
	`fifo_cost_basis` text DEFAULT '0' NOT NULL,
	`realized_pnl` text DEFAULT '0' NOT NULL,
	`fifo_realized_pnl` text DEFAULT '0' NOT NULL,
	`income` text DEFAULT '0' NOT NULL,
	`total_cost` text DEFAULT '0' NOT NULL,
	`total_proceeds` text DEFAULT '0' NOT NULL,
	`opened_at` text,
	`closed_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE INDEX `positions_portfolio_idx` ON `positions` (`portfolio_id`,`is_active`);--> statement-breakpoint
CREATE INDEX `positions_asset_idx` ON `positions` (`asset_id`);--> statement-breakpoint
CREATE TABLE `trades` (
	`id` text PRIMARY KEY NOT NULL,
	`portfolio_id` text NOT NULL,
	`user_id` text NOT NULL,
	`position_id` text,
	`trade_type` text NOT NULL,
	`asset_type` text NOT NULL,
	`symbol` text NOT NULL,
	`quantity` text NOT NULL,
	`price` text NOT NULL,
	`fees` text DEFAULT '0' NOT NULL,
	`total_amount` text NOT NULL,
	`trade_date` text NOT NULL,
	`seq` integer NOT NULL,
	`notes` text,
	`source` text DEFAULT 'api' NOT NULL,
	`bot_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `trades_portfolio_idx` ON `trades` (`portfolio_id`,`trade_date`,`seq`);--> statement-breakpoint
CREATE INDEX `trades_position_idx` ON `trades` (`position_id`);--> statement-breakpoint
CREATE INDEX `trades_user_idx` ON `trades` (`user_id`,`trade_date`);