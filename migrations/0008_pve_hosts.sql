ALTER TABLE `nodes` ADD `host_check` text;--> statement-breakpoint
ALTER TABLE `nodes` ADD `agent_update` text;