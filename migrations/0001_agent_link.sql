CREATE TABLE `changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`topic` text NOT NULL,
	`node_id` text,
	`job_id` text
);
--> statement-breakpoint
CREATE INDEX `changes_at_idx` ON `changes` (`at`);--> statement-breakpoint
CREATE TABLE `instances` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_events` (
	`job_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`event` text NOT NULL,
	PRIMARY KEY(`job_id`, `seq`),
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`node_id` text NOT NULL,
	`kind` text NOT NULL,
	`params` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`requested_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`offered_at` integer,
	`not_before` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`result` text,
	`error` text,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `jobs_status_idx` ON `jobs` (`status`,`node_id`);--> statement-breakpoint
CREATE INDEX `jobs_node_idx` ON `jobs` (`node_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `node_metrics` (
	`node_id` text NOT NULL,
	`at` integer NOT NULL,
	`cpu` real NOT NULL,
	`mem_used` real NOT NULL,
	`mem_total` real NOT NULL,
	`disk_used` real NOT NULL,
	`disk_total` real NOT NULL,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `node_metrics_idx` ON `node_metrics` (`node_id`,`at`);--> statement-breakpoint
CREATE TABLE `nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`simulated` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`enrollment_hash` text,
	`enrollment_expires_at` integer,
	`credential_hash` text,
	`credential_id` text,
	`pending_credential_hash` text,
	`pending_credential_id` text,
	`enrolled_at` integer,
	`agent_version` text,
	`pve_version` text,
	`host_name` text,
	`connected_instance` text,
	`connected_at` integer,
	`last_seen_at` integer,
	`metrics` text,
	`inventory` text,
	`inventory_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `nodes_name_unique` ON `nodes` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `nodes_credentialHash_unique` ON `nodes` (`credential_hash`);--> statement-breakpoint
CREATE INDEX `nodes_enrollment_idx` ON `nodes` (`enrollment_hash`);