CREATE TABLE `app_metrics` (
	`app_id` text NOT NULL,
	`at` integer NOT NULL,
	`cpu` real NOT NULL,
	`mem_used` real NOT NULL,
	`mem_total` real NOT NULL,
	`disk_used` real NOT NULL,
	`disk_total` real NOT NULL,
	`net_in` real NOT NULL,
	`net_out` real NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `app_metrics_idx` ON `app_metrics` (`app_id`,`at`);