CREATE TABLE `notification_settings` (
	`id` text PRIMARY KEY NOT NULL,
	`webhook_url_box` text,
	`webhook_origin` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `schedule_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`schedule_id` text NOT NULL,
	`app_id` text NOT NULL,
	`node_id` text NOT NULL,
	`kind` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`status` text NOT NULL,
	`job_id` text,
	`error` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `schedule_runs_app_idx` ON `schedule_runs` (`app_id`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `schedule_runs_job_idx` ON `schedule_runs` (`job_id`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`kind` text NOT NULL,
	`cron` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `schedules_app_kind_idx` ON `schedules` (`app_id`,`kind`);--> statement-breakpoint
ALTER TABLE `nodes` ADD `backup_cron` text;