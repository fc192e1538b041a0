/** Stable codes of every error the search package throws or reports. */
export type SearchErrorCode =
  | 'E_NOT_FOUND' // a path that does not exist
  | 'E_READ' // a file that cannot be read (permissions, a directory given as a file, I/O)
  | 'E_BAD_GZIP' // a truncated or corrupt gzip stream
  | 'E_BAD_PATTERN' // a pattern grep would refuse
  | 'E_NO_LOGS' // a directory that holds no Odoo server log
  | 'E_USAGE' // options that contradict each other

/**
 * The one error class of `@odoolog/search`. `message` is one line meant for people, already naming
 * the file where there is one (`odoo.log.2026-05-01.gz: unexpected end of file`).
 */
export class SearchError extends Error {
  override name = 'SearchError'
  constructor(
    message: string,
    readonly code: SearchErrorCode,
    readonly path?: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** Turns a Node or zlib error met while reading `path` into a SearchError with a grep-like text. */
export function fileError(path: string, err: unknown): SearchError {
  if (err instanceof SearchError) return err
  const e = err as NodeJS.ErrnoException
  switch (e?.code) {
    case 'ENOENT':
      return new SearchError(`${path}: No such file or directory`, 'E_NOT_FOUND', path, { cause: e })
    case 'EACCES':
    case 'EPERM':
      return new SearchError(`${path}: Permission denied`, 'E_READ', path, { cause: e })
    case 'EISDIR':
      return new SearchError(`${path}: Is a directory`, 'E_READ', path, { cause: e })
    case 'Z_BUF_ERROR':
      return new SearchError(`${path}: unexpected end of file`, 'E_BAD_GZIP', path, { cause: e })
    case 'Z_DATA_ERROR':
      return new SearchError(`${path}: invalid compressed data (${e.message})`, 'E_BAD_GZIP', path, { cause: e })
    default:
      return new SearchError(`${path}: ${e?.message ?? String(err)}`, 'E_READ', path, { cause: e })
  }
}
