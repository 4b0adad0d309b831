CREATE TABLE `ai_model_versions` (
	`model_id` text NOT NULL,
	`version` integer NOT NULL,
	`artifact_key` text NOT NULL,
	`artifact_hash` text NOT NULL,
	`metrics` text NOT NULL,
	`training_job_id` text,
	`data_as_of` integer NOT NULL,
	`trained_at` text NOT NULL,
	PRIMARY KEY(`model_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `ai_models` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`model_type` text DEFAULT 'direction_classifier' NOT NULL,
	`architecture` text NOT NULL,
	`features` text NOT NULL,
	`asset_ids` text NOT NULL,
	`horizon_days` integer NOT NULL,
	`hyperparameters` text NOT NULL,
	`training_start` text,
	`training_end` text,
	`status` text DEFAULT 'draft' NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`metrics` text,
	`artifact_key` text,
	`artifact_hash` text,
	`trained_at` text,
	`data_as_of` integer,
	`training_job_id` text,
	`last_error` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ai_models_status_idx` ON `ai_models` (`status`,`architecture`);--> statement-breakpoint
CREATE TABLE `model_predictions` (
	`id` text PRIMARY KEY NOT NULL,
	`model_id` text NOT NULL,
	`model_version` integer NOT NULL,
	`asset_id` text NOT NULL,
	`prediction_date` text NOT NULL,
	`decision_time` integer NOT NULL,
	`horizon_days` integer NOT NULL,
	`probability_up` real NOT NULL,
	`close_at_decision` real NOT NULL,
	`features` text NOT NULL,
	`outcome_time` integer,
	`realized_return` real,
	`outcome_up` integer,
	`scored_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_predictions_unique` ON `model_predictions` (`model_id`,`asset_id`,`prediction_date`);--> statement-breakpoint
CREATE INDEX `model_predictions_asset_idx` ON `model_predictions` (`asset_id`,`prediction_date`);--> statement-breakpoint
CREATE INDEX `model_predictions_unscored_idx` ON `model_predictions` (`scored_at`,`model_id`);--> statement-breakpoint
CREATE TABLE `ai_suggestions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text DEFAULT '' NOT NULL,
	`kind` text NOT NULL,
	`asset_id` text,
	`action` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`implemented_at` text,
	`as_of` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ai_suggestions_unique` ON `ai_suggestions` (`user_id`,`kind`,`asset_id`,`as_of`);--> statement-breakpoint
CREATE INDEX `ai_suggestions_user_idx` ON `ai_suggestions` (`user_id`,`as_of`);--> statement-breakpoint
CREATE TABLE `signal_executions` (
	`id` text PRIMARY KEY NOT NULL,
	`signal_id` text NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`entry_price` real NOT NULL,
	`quantity` real,
	`executed_at` integer NOT NULL,
	`exit_price` real,
	`closed_at` integer,
	`realized_return` real,
	`notes` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signal_executions_user_signal` ON `signal_executions` (`user_id`,`signal_id`);--> statement-breakpoint
CREATE INDEX `signal_executions_user_idx` ON `signal_executions` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `suggestion_feedback` (
	`id` text PRIMARY KEY NOT NULL,
	`suggestion_id` text NOT NULL,
	`user_id` text NOT NULL,
	`rating` integer NOT NULL,
	`feedback_text` text,
	`action_taken` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suggestion_feedback_user` ON `suggestion_feedback` (`suggestion_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `trading_signals` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text DEFAULT '' NOT NULL,
	`asset_id` text NOT NULL,
	`model_id` text NOT NULL,
	`model_version` integer NOT NULL,
	`prediction_id` text,
	`direction` text NOT NULL,
	`timeframe` text DEFAULT '1d' NOT NULL,
	`quality` text NOT NULL,
	`confidence` real NOT NULL,
	`entry_price` real NOT NULL,
	`stop_loss` real NOT NULL,
	`take_profit_1` real NOT NULL,
	`take_profit_2` real NOT NULL,
	`atr` real NOT NULL,
	`position_size_pct` real NOT NULL,
	`risk_level` text NOT NULL,
	`confluence` text NOT NULL,
	`market_context` text NOT NULL,
	`generated_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trading_signals_unique` ON `trading_signals` (`owner_id`,`model_id`,`asset_id`,`generated_at`);--> statement-breakpoint
CREATE INDEX `trading_signals_asset_idx` ON `trading_signals` (`asset_id`,`generated_at`);--> statement-breakpoint
CREATE INDEX `trading_signals_status_idx` ON `trading_signals` (`status`,`expires_at`);