CREATE TABLE `ops_alert_rules` (
	`name` text PRIMARY KEY NOT NULL,
	`metric` text NOT NULL,
	`operator` text NOT NULL,
	`threshold` real NOT NULL,
	`severity` text NOT NULL,
	`channels` text NOT NULL,
	`duration_seconds` integer NOT NULL,
	`cooldown_seconds` integer NOT NULL,
	`description` text,
	`enabled` integer DEFAULT true NOT NULL,
	`builtin` integer DEFAULT false NOT NULL,
	`created_by` text,
	`last_triggered_at` text,
	`last_evaluated_at` text,
	`last_value` real,
	`trigger_count` integer DEFAULT 0 NOT NULL,
	`suppressed_count` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ops_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_name` text NOT NULL,
	`metric` text NOT NULL,
	`current_value` real NOT NULL,
	`peak_value` real NOT NULL,
	`threshold` real NOT NULL,
	`operator` text NOT NULL,
	`severity` text NOT NULL,
	`message` text NOT NULL,
	`status` text NOT NULL,
	`acknowledged_at` text,
	`acknowledged_by` text,
	`resolved_at` text,
	`resolved_by` text,
	`occurrences` integer DEFAULT 1 NOT NULL,
	`last_seen_at` text NOT NULL,
	`incident_id` text,
	`metadata` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ops_alerts_rule_status_idx` ON `ops_alerts` (`rule_name`,`status`);--> statement-breakpoint
CREATE INDEX `ops_alerts_status_created_idx` ON `ops_alerts` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `ops_alerts_created_idx` ON `ops_alerts` (`created_at`);--> statement-breakpoint
CREATE TABLE `ops_health_snapshots` (
	`minute` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`checks` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ops_incident_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` text NOT NULL,
	`event` text NOT NULL,
	`user` text NOT NULL,
	`detail` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ops_incident_events_incident_idx` ON `ops_incident_events` (`incident_id`,`id`);--> statement-breakpoint
CREATE TABLE `ops_incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`created_by` text NOT NULL,
	`assigned_to` text,
	`related_alerts` text NOT NULL,
	`metadata` text,
	`resolution` text,
	`resolved_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ops_incidents_status_created_idx` ON `ops_incidents` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `plan_prices` (
	`tier` text PRIMARY KEY NOT NULL,
	`monthly_price` real NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`updated_by` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscription_events` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`from_tier` text NOT NULL,
	`to_tier` text NOT NULL,
	`monthly_price` real NOT NULL,
	`previous_monthly_price` real NOT NULL,
	`currency` text NOT NULL,
	`kind` text NOT NULL,
	`actor` text,
	`occurred_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `subscription_events_user_idx` ON `subscription_events` (`user_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `subscription_events_occurred_idx` ON `subscription_events` (`occurred_at`);