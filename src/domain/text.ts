// Text from requests reaches SQL only through the finders of src/domain (project and group lookups by
// full path, the package name and version filters, the values inside pagination cursors), and every
// one of them passes it through `sqlText` first. That is the one place that knows what PostgreSQL's
// `text` cannot hold, whichever route, GraphQL field or argument the text came in by.

/**
 * U+0000. PostgreSQL's `text` (and so every stored path, name, version and file name) cannot hold it:
 * a statement sent with it as a parameter fails as a whole (SQLSTATE 22021, `invalid byte sequence
 * for encoding "UTF8": 0x00`), on PGlite as on PostgreSQL.
 */
const nul = '\u0000';

/**
 * `text` as a finder may send it to the database, or null when no stored text can equal it, contain
 * it, or be compared with it: `text` holds U+0000, which no stored text does. A finder given null
 * matches nothing (no project or group, an empty listing, no row beyond a cursor is ever asked for),
 * as GitLab finds nothing for a path or name that exists nowhere (`Project.find_by_full_path`,
 * `Packages::PackagesFinder` with `package_name` / `package_version`), instead of failing the statement.
 *
 * @example sqlText('acme/api') === 'acme/api'; sqlText('acme\u0000api') === null
 */
export function sqlText(text: string): string | null {
  return text.includes(nul) ? null : text;
}
