import { CliError } from './errors.js'
import { fitTable } from './terminal.js'

export type Format = 'table' | 'json' | 'ndjson' | 'csv' | 'tsv'
export type Row = Record<string, unknown>

/** `table` on a TTY, `tsv` through a pipe (as gh does), unless asked. */
export function pickFormat(asked: string | undefined, isTTY: boolean | undefined, allowed: readonly Format[]): Format {
  const f = (asked ?? (isTTY ? 'table' : 'tsv')) as Format
  if (!allowed.includes(f)) throw new CliError(`--format: expected ${allowed.join(', ')}, got '${asked}'`)
  return f
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** RFC 4180: quote fields with a comma, quote or line break; double the quotes; CRLF line ends. */
export function csvField(v: unknown): string {
  const s = cell(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** TSV keeps one record per line: tabs and line breaks inside a value are written as \t, \n. */
export function tsvField(v: unknown): string {
  return cell(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n')
}

export interface TableOptions {
  /** Column titles other than the keys. */
  headers?: Record<string, string>
  /** The terminal's width; null or unset: no limit (a table through a pipe is never wrapped). */
  width?: number | null
  /** Columns whose cells may wrap (default: all), and the columns to drop first when even that is too wide. */
  wrap?: readonly string[]
  drop?: readonly string[]
  minWrap?: number
}

/**
 * Renders rows in a format. `columns` fixes the order (and the header of csv/tsv/table); ndjson and
 * json keep each row's own keys in order.
 */
export function render(rows: readonly Row[], columns: readonly string[], format: Format, opts: TableOptions = {}): string {
  switch (format) {
    case 'ndjson':
      return rows.map((r) => JSON.stringify(r) + '\n').join('')
    case 'json':
      return JSON.stringify(rows) + '\n'
    case 'csv':
    case 'tsv':
      return header(columns, format) + rows.map((r) => row(r, columns, format)).join('')
    case 'table': {
      const index = (keys: readonly string[] | undefined) => keys?.map((k) => columns.indexOf(k)).filter((i) => i >= 0)
      return fitTable(
        columns.map((c) => opts.headers?.[c] ?? c),
        rows.map((r) => columns.map((c) => cell(r[c]))),
        { width: opts.width ?? null, wrap: index(opts.wrap), drop: index(opts.drop), minWrap: opts.minWrap },
      )
    }
  }
}

/** The header line of csv or tsv output (nothing for the other formats). */
export function header(columns: readonly string[], format: Format): string {
  if (format === 'csv') return columns.map(csvField).join(',') + '\r\n'
  if (format === 'tsv') return columns.map(tsvField).join('\t') + '\n'
  return ''
}

/** One row of ndjson, csv or tsv output, for writing rows as they come. */
export function row(r: Row, columns: readonly string[], format: Format): string {
  switch (format) {
    case 'csv':
      return columns.map((c) => csvField(r[c])).join(',') + '\r\n'
    case 'tsv':
      return columns.map((c) => tsvField(r[c])).join('\t') + '\n'
    case 'ndjson':
      return JSON.stringify(r) + '\n'
    default:
      throw new Error(`internal: ${format} is not written row by row`)
  }
}
