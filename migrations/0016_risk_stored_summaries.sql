CREATE TABLE `risk_batch_chunks` (
	`run_id` text NOT NULL,
	`chunk` integer NOT NULL,
	`job_id` text,
	`portfolio_ids` text NOT NULL,
	`status` text NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`elapsed_ms` real,
	PRIMARY KEY(`run_id`, `chunk`)
);
--> statement-breakpoint
CREATE TABLE `risk_batch_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`as_of_day` text NOT NULL,
	`portfolios` integer NOT NULL,
	`chunks` integer NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`chunks_finished` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE TABLE `risk_summaries` (
	`portfolio_id` text NOT NULL,
	`confidence` text NOT NULL,
	`holdings_key` text NOT NULL,
	`body` text NOT NULL,
	`calculated_at` text NOT NULL,
	`as_of` text NOT NULL,
	PRIMARY KEY(`portfolio_id`, `confidence`)
);
