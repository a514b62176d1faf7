CREATE TABLE `webhook_deliveries` (
	`app_id` text NOT NULL,
	`signature` text NOT NULL,
	`delivery_id` text,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`app_id`, `signature`),
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_delivery_idx` ON `webhook_deliveries` (`app_id`,`delivery_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_received_idx` ON `webhook_deliveries` (`received_at`);