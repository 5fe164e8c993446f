// The two stores casemgr runs on. Everything that differs between them stays inside store/.
export type Dialect = 'sqlite' | 'postgres';

export type DatabaseTarget =
  | {
      readonly dialect: 'sqlite';
      readonly path: string;
      /** Create the file's missing folders (only the default ./data folder is created unasked). */
      readonly createFolder?: boolean;
    }
  | { readonly dialect: 'postgres'; readonly url: string };

/** `sqlite:PATH` (or `sqlite::memory:`) and `postgres://…` / `postgresql://…`. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new Error(`DATABASE_URL "${url}" names no file: use sqlite:./data/casemgr.db`);
    return { dialect: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new Error(`DATABASE_URL "${redactUrl(url)}" is not a valid URL`);
    }
    return { dialect: 'postgres', url };
  }
  throw new Error(`DATABASE_URL "${redactUrl(url)}" must start with sqlite: or postgres://`);
}

/** Connection strings carry passwords; logs and error lines show them redacted. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL we can parse: hide everything between // and the last @ before the path.
    return url.replace(/\/\/[^/?#]*@/, '//***@');
  }
}
