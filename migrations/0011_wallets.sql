CREATE TABLE `dex_trades` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`wallet_id` text,
	`mode` text NOT NULL,
	`custodial` integer NOT NULL,
	`chain_id` integer NOT NULL,
	`aggregator` text NOT NULL,
	`sell_token` text NOT NULL,
	`buy_token` text NOT NULL,
	`sell_amount` text NOT NULL,
	`buy_amount` text NOT NULL,
	`min_buy_amount` text NOT NULL,
	`fee_amount` text NOT NULL,
	`price_impact` text NOT NULL,
	`value_usd` text,
	`status` text NOT NULL,
	`tx_hash` text,
	`block_number` integer,
	`gas_used` text,
	`gas_price` text,
	`portfolio_trade_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dex_trades_user_idx` ON `dex_trades` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `wallet_nonces` (
	`nonce` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`address` text NOT NULL,
	`chain_id` integer NOT NULL,
	`message` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `wallet_nonces_user_idx` ON `wallet_nonces` (`user_id`);--> statement-breakpoint
CREATE TABLE `wallet_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`wallet_id` text NOT NULL,
	`user_id` text NOT NULL,
	`chain_id` integer NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`hash` text,
	`from_address` text NOT NULL,
	`to_address` text NOT NULL,
	`token_address` text,
	`token_symbol` text NOT NULL,
	`amount` text NOT NULL,
	`amount_usd` text,
	`fee` text,
	`max_fee_wei` text,
	`tx_nonce` integer,
	`block_number` integer,
	`gas_used` text,
	`gas_price` text,
	`error` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `wallet_transactions_wallet_idx` ON `wallet_transactions` (`wallet_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `wallet_transactions_user_idx` ON `wallet_transactions` (`user_id`,`type`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `wallet_transactions_hash_uq` ON `wallet_transactions` (`chain_id`,`hash`);--> statement-breakpoint
CREATE TABLE `wallets` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`chain_id` integer NOT NULL,
	`address` text NOT NULL,
	`label` text,
	`sealed_key` text,
	`wrapped_data_key` text,
	`key_id` text,
	`balance` text,
	`balance_usd` text,
	`balance_updated_at` text,
	`tokens` text,
	`spend_lock_until` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `wallets_user_idx` ON `wallets` (`user_id`,`deleted_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `wallets_user_chain_address_uq` ON `wallets` (`user_id`,`chain_id`,`address`);--> statement-breakpoint
CREATE TABLE `withdrawal_destinations` (
	`user_id` text NOT NULL,
	`chain_id` integer NOT NULL,
	`address` text NOT NULL,
	`active_at` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `withdrawal_destinations_pk` ON `withdrawal_destinations` (`user_id`,`chain_id`,`address`);