DROP INDEX `assets_symbol_unique`;--> statement-breakpoint
ALTER TABLE `assets` ADD `owner_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `assets_symbol_owner_unique` ON `assets` (`symbol`,`owner_id`);