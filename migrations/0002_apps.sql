CREATE TABLE `apps` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`node_id` text NOT NULL,
	`status` text NOT NULL,
	`guest_type` text NOT NULL,
	`vmid` integer,
	`address` text,
	`cores` integer NOT NULL,
	`memory_mb` integer NOT NULL,
	`disk_gb` integer NOT NULL,
	`storage` text NOT NULL,
	`bridge` text NOT NULL,
	`source` text NOT NULL,
	`domain` text NOT NULL,
	`env` text NOT NULL,
	`secret_names` text NOT NULL,
	`secrets_box` text NOT NULL,
	`webhook_secret_box` text NOT NULL,
	`commit` text,
	`last_job_id` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `apps_name_unique` ON `apps` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `apps_domain_unique` ON `apps` (`domain`);--> statement-breakpoint
CREATE INDEX `apps_node_idx` ON `apps` (`node_id`);--> statement-breakpoint
CREATE TABLE `ports` (
	`node_id` text NOT NULL,
	`port` integer NOT NULL,
	`app_id` text NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`node_id`, `port`),
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `jobs` ADD `secret_params_box` text;