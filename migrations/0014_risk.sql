CREATE TABLE `factor_returns` (
	`vintage` text NOT NULL,
	`time` integer NOT NULL,
	`mkt_rf` real NOT NULL,
	`smb` real NOT NULL,
	`hml` real NOT NULL,
	`rmw` real,
	`cma` real,
	`mom` real,
	`rf` real NOT NULL,
	PRIMARY KEY(`vintage`, `time`)
);
--> statement-breakpoint
CREATE TABLE `portfolio_factor_exposures` (
	`portfolio_id` text NOT NULL,
	`factor_set` text NOT NULL,
	`summary` text NOT NULL,
	`calculated_at` text NOT NULL,
	`as_of` text NOT NULL,
	PRIMARY KEY(`portfolio_id`, `factor_set`)
);
--> statement-breakpoint
CREATE TABLE `position_factor_exposures` (
	`position_id` text NOT NULL,
	`factor_set` text NOT NULL,
	`portfolio_id` text NOT NULL,
	`symbol` text NOT NULL,
	`status` text NOT NULL,
	`market_value` real NOT NULL,
	`weight` real NOT NULL,
	`model` text,
	`calculated_at` text NOT NULL,
	`as_of` text NOT NULL,
	PRIMARY KEY(`position_id`, `factor_set`)
);
--> statement-breakpoint
CREATE INDEX `position_factor_exposures_portfolio` ON `position_factor_exposures` (`portfolio_id`,`factor_set`);--> statement-breakpoint
CREATE TABLE `risk_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`portfolio_id` text NOT NULL,
	`format` text NOT NULL,
	`status` text NOT NULL,
	`object_key` text,
	`bytes` integer,
	`error` text,
	`created_at` text NOT NULL,
	`completed_at` text,
	`as_of` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `risk_reports_user` ON `risk_reports` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `risk_snapshots` (
	`portfolio_id` text PRIMARY KEY NOT NULL,
	`holdings_key` text NOT NULL,
	`payload` text NOT NULL,
	`calculated_at` text NOT NULL,
	`as_of` text NOT NULL
);
