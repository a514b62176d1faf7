import { describe, expect, it } from "vitest";
import { readyPlan } from "./detect.ts";
import { memoryRepoFiles } from "./repo-files.ts";
import { generated } from "./testing.ts";

/** The shape of Docker's getting-started todo app: a dev compose beside a production Dockerfile. */
const DEV_COMPOSE = `services:
  proxy:
    image: traefik:v3.1
    ports: ["80:80", "8080:8080"]
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
  backend:
    build: { context: ./, target: backend-dev }
    volumes: ["./backend/src:/usr/local/app/src"]
  client:
    build: { context: ./, target: client-dev }
    command: npm run dev
  mysql:
    image: mysql:9.3
  phpmyadmin:
    image: phpmyadmin
    ports: ["5050:80"]
`;

describe("compose files and Django settings", () => {
  it("auto mode builds the repository's Dockerfile, not the development stack beside it", async () => {
    const files = memoryRepoFiles({
      "compose.yaml": DEV_COMPOSE,
      Dockerfile: 'FROM node:22 AS base\nFROM base AS final\nEXPOSE 3000\nCMD ["node","src/index.js"]\n',
    });
    const plan = await readyPlan(files);
    expect(plan).toMatchObject({ source: "dockerfile", port: 3000 });
    // Chosen explicitly, the dev signs are warnings and the web service is the one the user names.
    const compose = await readyPlan(files, { source: "compose", composeService: "backend", port: 3000 });
    expect(compose).toMatchObject({
      compose: { service: "backend", publishedPort: null, targetPort: 3000 },
      port: 3000,
    });
    expect(compose.warnings.join("\n")).toMatch(/mounts the Docker socket[\s\S]*bind-mounts source/);
  });

  it("compose: the published port of the web service is the port; infrastructure-only compose is skipped", async () => {
    const app = await readyPlan(
      memoryRepoFiles({
        "docker-compose.yml":
          "services:\n  db:\n    image: postgres:17\n    ports: ['5432:5432']\n  app:\n    build: .\n    ports:\n      - target: 8000\n        published: 8088\n",
      }),
    );
    expect(app).toMatchObject({
      source: "compose",
      port: 8088,
      compose: { service: "app", publishedPort: 8088, targetPort: 8000 },
    });
    const infra = await readyPlan(
      memoryRepoFiles({
        "docker-compose.yml": "services:\n  db:\n    image: postgres:17\n    ports: ['5432:5432']\n",
        "package.json": JSON.stringify({
          dependencies: { express: "5" },
          scripts: { start: "node index.js" },
        }),
        "package-lock.json": "{}",
      }),
    );
    expect(infra.source).toBe("generated");
    expect(infra.warnings).toContain(
      "docker-compose.yml runs only backing services (databases, tools): it is not deployed; give the app their addresses with environment variables",
    );
  });

  it("Django: restricted ALLOWED_HOSTS is a warning and the overlay adds the app's host; no migrate against a server database", async () => {
    const plan = await generated(
      memoryRepoFiles({
        "requirements.txt": "django==5.2\npsycopg==3.2\n",
        "src/manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")',
        "src/config/__init__.py": "",
        "src/config/settings/__init__.py": "",
        "src/config/settings/base.py":
          'INSTALLED_APPS = ["django.contrib.staticfiles"]\nWSGI_APPLICATION = "config.wsgi.application"\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n',
        "src/config/settings/production.py":
          'from .base import *\nALLOWED_HOSTS = ["example.com"]\nif True:\n    STATIC_ROOT = "/srv/static"\n',
        "src/config/wsgi.py": "application = get_wsgi_application()",
      }),
    );
    expect(plan.warnings[0]).toMatch(
      /^config\.settings\.production restricts ALLOWED_HOSTS to \["example\.com"\]: Pylon adds the app's host/,
    );
    expect(plan.warnings.join("\n")).toContain("Pylon does not migrate a database it did not create");
    expect(plan.commands.start).toBe("cd src && exec gunicorn --access-logfile - config.wsgi:application");
    expect(plan.dockerfile).toContain("> /app/src/pylon_settings.py");
    expect(plan.dockerfile).toContain("ENV DJANGO_SETTINGS_MODULE=pylon_settings PYTHONPATH=/app/src");
    expect(plan.lines).toContain("RUN cd src && python manage.py collectstatic --noinput");
  });
});
