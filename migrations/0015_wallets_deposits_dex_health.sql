CREATE TABLE `dex_aggregator_health` (
	`id` text PRIMARY KEY NOT NULL,
	`circuit_state` text DEFAULT 'closed' NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`circuit_opened_at` integer,
	`successes` integer DEFAULT 0 NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_success_at` integer,
	`last_failure_at` integer,
	`last_error` text,
	`last_latency_ms` integer,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
DROP INDEX `wallet_transactions_hash_uq`;--> statement-breakpoint
ALTER TABLE `wallet_transactions` ADD `detection` text;--> statement-breakpoint
ALTER TABLE `wallet_transactions` ADD `log_index` integer;--> statement-breakpoint
CREATE INDEX `wallet_transactions_hash_idx` ON `wallet_transactions` (`chain_id`,`hash`);--> statement-breakpoint
ALTER TABLE `dex_trades` ADD `from_address` text;--> statement-breakpoint
ALTER TABLE `dex_trades` ADD `tx_to` text;--> statement-breakpoint
ALTER TABLE `dex_trades` ADD `tx_data` text;--> statement-breakpoint
ALTER TABLE `dex_trades` ADD `tx_value` text;--> statement-breakpoint
CREATE UNIQUE INDEX `dex_trades_tx_hash_uq` ON `dex_trades` (`chain_id`,`tx_hash`);--> statement-breakpoint
ALTER TABLE `wallets` ADD `native_scanned_block` integer;--> statement-breakpoint
ALTER TABLE `wallets` ADD `native_scanned_wei` text;--> statement-breakpoint
ALTER TABLE `wallets` ADD `logs_scanned_block` integer;