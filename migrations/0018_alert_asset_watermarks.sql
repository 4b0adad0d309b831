CREATE TABLE `alert_asset_watermarks` (
	`asset_id` text PRIMARY KEY NOT NULL,
	`evaluated_from` integer NOT NULL,
	`evaluated_through` integer NOT NULL
);
