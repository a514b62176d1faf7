ALTER TABLE `jobs` ADD `app_id` text;--> statement-breakpoint
CREATE INDEX `jobs_app_idx` ON `jobs` (`app_id`,`id`);--> statement-breakpoint
UPDATE `jobs` SET `app_id` = json_extract(`params`, '$.appId') WHERE json_type(`params`, '$.appId') = 'text';