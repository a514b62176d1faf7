import { PYTHON_SERVERS } from "./images.ts";
import { dependsOn, type PythonApp, type PythonProject } from "./python.ts";
import type { RepoFiles } from "./repo-files.ts";
import { BuildDetectionError } from "./types.ts";

/** `a.b.settings` → the files that may hold it (`a/b/settings.py` or a settings package). */
function moduleFiles(module: string): string[] {
  const base = module.split(".").join("/");
  return [`${base}.py`, `${base}/__init__.py`];
}

/**
 * Finds the project's WSGI application by reading, never by guessing: manage.py names the
 * settings module (DJANGO_SETTINGS_MODULE), the settings name WSGI_APPLICATION, and that
 * module must be in the repository. manage.py may sit in a folder (`src/manage.py`); module
 * paths are then relative to it.
 */
export async function findDjangoWsgi(
  files: RepoFiles,
  manageDir = "",
): Promise<{ settings: string; module: string; attribute: string; settingsText: string }> {
  const prefix = manageDir ? `${manageDir}/` : "";
  const list = new Set(
    (await files.list()).filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length)),
  );
  const read = (f: string) => files.read(prefix + f);
  const manage = (await read("manage.py")) ?? "";
  const settings = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/.exec(manage)?.[1];
  if (!settings) {
    throw new BuildDetectionError(
      "found manage.py (Django), but it does not set DJANGO_SETTINGS_MODULE, so the settings module cannot be found",
    );
  }
  const settingsFile = moduleFiles(settings).find((f) => list.has(f));
  if (!settingsFile) {
    throw new BuildDetectionError(
      `manage.py names settings module ${settings}, but neither ${moduleFiles(settings).join(" nor ")} is in the repository`,
    );
  }
  // Split settings (settings/production.py importing from .base) keep WSGI_APPLICATION beside.
  const dir = settingsFile.slice(0, settingsFile.lastIndexOf("/") + 1);
  const siblings = [...list].filter(
    (f) => f.startsWith(dir) && f.endsWith(".py") && !f.slice(dir.length).includes("/"),
  );
  let settingsText = "";
  let wsgi: string | undefined;
  for (const file of [settingsFile, ...siblings.filter((f) => f !== settingsFile).sort()]) {
    const text = (await read(file)) ?? "";
    settingsText += `${text}\n`;
    wsgi ??= /^\s*WSGI_APPLICATION\s*=\s*["']([\w.]+)["']/m.exec(text)?.[1];
  }
  if (!wsgi) {
    throw new BuildDetectionError(
      `found Django settings ${settings} (${prefix}${settingsFile}), but no WSGI_APPLICATION in it; add WSGI_APPLICATION = "<project>.wsgi.application"`,
    );
  }
  const dot = wsgi.lastIndexOf(".");
  const module = wsgi.slice(0, dot);
  const attribute = wsgi.slice(dot + 1);
  if (dot <= 0 || !moduleFiles(module).some((f) => list.has(f))) {
    throw new BuildDetectionError(
      `WSGI_APPLICATION is ${wsgi}, but ${prefix}${moduleFiles(module)[0]} is not in the repository`,
    );
  }
  return { settings, module, attribute, settingsText };
}

/**
 * The settings Pylon runs Django with: the project's own, plus the app's host in ALLOWED_HOSTS
 * and CSRF_TRUSTED_ORIGINS (from PYLON_ALLOWED_HOSTS, set at run time to the route's host) and a
 * STATIC_ROOT when the project has none, so collectstatic and the route work unchanged.
 */
export function settingsOverlay(settings: string): string {
  return [
    "# Written by Pylon: the project's settings, served at the app's host.",
    "import os",
    `from ${settings} import *  # noqa: F401,F403`,
    "_pylon_hosts = [h for h in os.environ.get('PYLON_ALLOWED_HOSTS', '').split(',') if h]",
    "ALLOWED_HOSTS = list(globals().get('ALLOWED_HOSTS') or []) + _pylon_hosts",
    "CSRF_TRUSTED_ORIGINS = list(globals().get('CSRF_TRUSTED_ORIGINS') or []) + ['https://' + h for h in _pylon_hosts]",
    "if not globals().get('STATIC_ROOT'):",
    "    STATIC_ROOT = '/app/staticfiles'",
  ].join("\n");
}

/** Which database the settings use, read from the ENGINE names or dj-database-url. */
function databaseOf(text: string): "sqlite" | "other" | "url" {
  if (/dj_database_url|DATABASE_URL/.test(text) && !/backends\.sqlite3/.test(text)) return "url";
  if (/backends\.(postgresql|mysql|oracle)|django\.contrib\.gis\.db\.backends/.test(text)) return "other";
  return "sqlite";
}

/**
 * Django served by gunicorn with the project's WSGI application. Migrations run at start only
 * for SQLite (a file in the container Pylon can create); any other database is the user's to
 * migrate once it exists, and the plan says so. Static files are collected at build time.
 */
export async function djangoApp(
  files: RepoFiles,
  project: PythonProject,
  reason: string,
  warnings: string[],
): Promise<PythonApp> {
  const list = await files.list();
  const manage =
    list
      .filter((f) => /(^|\/)manage\.py$/.test(f))
      .sort((a, b) => a.split("/").length - b.split("/").length)[0] ?? "manage.py";
  const manageDir = manage.includes("/") ? manage.slice(0, manage.lastIndexOf("/")) : "";
  const wsgi = await findDjangoWsgi(files, manageDir);
  const target = `${wsgi.module}:${wsgi.attribute}`;
  const text = wsgi.settingsText;
  const hosts = /^\s*ALLOWED_HOSTS\s*=\s*(.+)$/m.exec(text)?.[1]?.trim();
  if (hosts && !/environ|getenv|config\(|env\(|\*/.test(hosts))
    warnings.push(
      `${wsgi.settings} restricts ALLOWED_HOSTS to ${hosts.slice(0, 80)}: Pylon adds the app's host through its settings overlay (pylon_settings.py); set DJANGO_ALLOWED_HOSTS in your settings to manage it yourself`,
    );
  const db = databaseOf(text);
  const afterCopy: string[] = [];
  const cd = manageDir ? `cd ${manageDir} && ` : "";
  const needsEnv = /os\.environ\[/.test(text);
  if (/django\.contrib\.staticfiles/.test(text)) {
    if (needsEnv)
      warnings.push(
        "the settings read variables with os.environ[…], which are not set at build time: static files are collected at start instead",
      );
    else afterCopy.push(`${cd}python manage.py collectstatic --noinput`);
    if (!dependsOn(project, "whitenoise"))
      warnings.push(
        "static files are not served by gunicorn: add whitenoise (and its middleware) to serve CSS and JavaScript",
      );
  }
  const steps: string[] = [];
  if (needsEnv && /django\.contrib\.staticfiles/.test(text))
    steps.push("python manage.py collectstatic --noinput");
  if (db === "sqlite") steps.push("python manage.py migrate --noinput");
  else
    warnings.push(
      `the settings use ${db === "url" ? "DATABASE_URL" : "a database server"}: set its variables, then run migrations once (python manage.py migrate); Pylon does not migrate a database it did not create`,
    );
  steps.push(`exec gunicorn --access-logfile - ${target}`);
  const pythonPath: Record<string, string> = manageDir ? { PYTHONPATH: `/app/${manageDir}` } : {};
  return {
    framework: "django",
    name: "Django",
    reason: `${reason}; WSGI application ${target} from ${wsgi.settings}`,
    extra: dependsOn(project, "gunicorn") ? [] : [PYTHON_SERVERS.gunicorn],
    afterCopy,
    writes: [[`/app/${manageDir ? `${manageDir}/` : ""}pylon_settings.py`, settingsOverlay(wsgi.settings)]],
    env: { DJANGO_SETTINGS_MODULE: "pylon_settings", ...pythonPath },
    start: { shell: `${cd}${steps.join(" && ")}` },
  };
}
