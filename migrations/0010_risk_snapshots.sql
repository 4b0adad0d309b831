CREATE TABLE `risk_snapshots` (
	`portfolio_id` text PRIMARY KEY NOT NULL,
	`holdings_key` text NOT NULL,
	`payload` text NOT NULL,
	`calculated_at` text NOT NULL,
	`as_of` text NOT NULL
);
