import type { CatalogEntry } from "../schema.ts";
import { monogramIcon } from "./common.ts";

/** WordPress on Apache with a MariaDB database. */
export const wordpress: CatalogEntry = {
  id: "wordpress",
  name: "WordPress",
  description: "The blog and website platform, with a MariaDB database.",
  category: "cms",
  tags: ["blog", "cms", "php"],
  website: "https://wordpress.org/",
  icon: monogramIcon("#21759b", "W"),
  version: "6.7.1",
  compose: `
services:
  wordpress:
    image: wordpress:6.7.1-php8.3-apache
    restart: unless-stopped
    depends_on:
      - db
    ports:
      - "{{ port.http }}:80"
    environment:
      WORDPRESS_DB_HOST: db
      WORDPRESS_DB_NAME: wordpress
      WORDPRESS_DB_USER: wordpress
      WORDPRESS_DB_PASSWORD: "{{ secret.db_password }}"
      WORDPRESS_TABLE_PREFIX: "{{ param.table_prefix }}"
    volumes:
      - wp_content:/var/www/html
  db:
    image: mariadb:11.4.4
    restart: unless-stopped
    environment:
      MARIADB_DATABASE: wordpress
      MARIADB_USER: wordpress
      MARIADB_PASSWORD: "{{ secret.db_password }}"
      MARIADB_ROOT_PASSWORD: "{{ secret.db_root_password }}"
    volumes:
      - db_data:/var/lib/mysql
volumes:
  wp_content: {}
  db_data: {}
`,
  parameters: [
    {
      name: "table_prefix",
      label: "Table prefix",
      type: "string",
      default: "wp_",
      required: true,
      pattern: "[A-Za-z0-9_]{1,20}",
      patternMessage: "must be 1 to 20 letters, digits or underscores",
      description: "Prefix of WordPress's database tables",
    },
  ],
  secrets: [
    {
      name: "db_password",
      length: 32,
      alphabet: "alphanumeric",
      description: "WordPress's database password",
    },
    { name: "db_root_password", length: 32, alphabet: "alphanumeric", description: "MariaDB root password" },
  ],
  volumes: [
    {
      name: "wp_content",
      service: "wordpress",
      path: "/var/www/html",
      purpose: "WordPress files, themes, uploads",
    },
    { name: "db_data", service: "db", path: "/var/lib/mysql", purpose: "MariaDB data" },
  ],
  ports: [
    {
      name: "http",
      service: "wordpress",
      containerPort: 80,
      protocol: "tcp",
      http: true,
      description: "Web",
    },
  ],
  minResources: { cores: 1, memoryMiB: 1024, diskGiB: 8 },
  // A fresh site redirects / to the installer; the installer page itself answers 200.
  healthCheck: { type: "http", port: "http", path: "/wp-login.php", expectedStatus: [200, 302] },
  notes: "Open the app to run WordPress's five-minute install and create the admin account.",
};
