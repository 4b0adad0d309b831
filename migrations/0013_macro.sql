CREATE TABLE `metrics_snapshot` (
	`kind` text NOT NULL,
	`snapshot_time` integer NOT NULL,
	`data_version` text NOT NULL,
	`computed_at` integer NOT NULL,
	`payload` text NOT NULL,
	PRIMARY KEY(`kind`, `snapshot_time`)
);
--> statement-breakpoint
CREATE INDEX `metrics_snapshot_time_idx` ON `metrics_snapshot` (`snapshot_time`);--> statement-breakpoint
CREATE TABLE `sectors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`category` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
