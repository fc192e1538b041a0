import { createRequire } from 'node:module'
import { CliError } from './errors.js'

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

/**
 * Renders rows in a format. `columns` fixes the order (and the header of csv/tsv/table); ndjson and
 * json keep each row's own keys in order.
 */
export function render(rows: readonly Row[], columns: readonly string[], format: Format, opts: { headers?: Record<string, string>; width?: number } = {}): string {
  switch (format) {
    case 'ndjson':
      return rows.map((r) => JSON.stringify(r) + '\n').join('')
    case 'json':
      return JSON.stringify(rows) + '\n'
    case 'csv':
      return [columns, ...rows.map((r) => columns.map((c) => r[c]))].map((r) => r.map(csvField).join(',') + '\r\n').join('')
    case 'tsv':
      return [columns, ...rows.map((r) => columns.map((c) => r[c]))].map((r) => r.map(tsvField).join('\t') + '\n').join('')
    case 'table': {
      // loaded only for tables: it pulls in string-width and colours (startup for every pipe otherwise)
      const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3')
      const table = new Table({ head: columns.map((c) => opts.headers?.[c] ?? c), style: { head: [], border: [] }, wordWrap: true })
      for (const r of rows) table.push(columns.map((c) => cell(r[c])))
      return table.toString() + '\n'
    }
  }
}
