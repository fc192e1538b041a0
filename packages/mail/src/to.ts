import { readRecords, type ChosenEvent, type FollowOptions, type LogRecord, type LogSource, type RecordSummary } from '@odoolog/search'
import type { MailEvent } from './events.js'
import { addressMatcher, normalizeAddress, recipientsOf, redactAddress } from './filter.js'
import { LINK_DAYS, RecentMap } from './ids.js'
import { Parser, type RecordTracker } from './parse.js'

export interface RecipientRecordsOptions {
  /** Records get their line numbers (for -n, --json); without, `line` is 0 and the scan is faster. */
  lines?: boolean
  since?: string
  until?: string
  signal?: AbortSignal
  /**
   * Keep reading this path as it grows (`grep --to --follow`): once it is quiet, the records read
   * are decided at once (the parser's settle), so a mail is tied to ADDRESS by what was logged up
   * to then: its new attempts are, a later bounce no longer reaches back.
   */
  follow?: FollowOptions
}

/**
 * What a record must hold to be a send attempt or a bounce: the logger of every such message, in
 * every version (`odoo.addons.mail.models.mail_mail`, `odoo.addons.base.models.ir_mail_server`,
 * `odoo.addons.mail.models.mail_thread`; 8.0's `openerp.addons.…` alike). One leading literal lets the
 * regex engine skip ahead: over one day of the bench folder, with the address, 5.5 ms against 23.5 ms
 * for the six messages themselves and 17.7 ms with 14–17's `skip sending email in test mode` added
 * (measured). So that notice is not read: a success a test database only pretended to send is
 * printed as a record of her mail (`mail` does not count it as an attempt).
 */
const LINK_PATTERNS = ['mail_(mail|server|thread): ']

/**
 * Files inflated ahead of the current one (which itself inflates beside the scan): none. The scan
 * is slower than zlib, so more buys no time and holds 4 MiB a file: `grep --to` over the bench's grep
 * folder 1.01 s and 93 MB peak RSS with none, 1.04 s and 140 MB with two; over the mail-dense folder
 * 5.31 s and 103 MB, 5.38 s and 121 MB (medians, alternating).
 */
const READ_AHEAD = 0

/**
 * The records of one recipient's mails, whole, in file order, for `grep --to`: every record that
 * names ADDRESS (or its redacted form, in any case), and every record of a send attempt or bounce of
 * a mail addressed to it by the logs' own account, with `mail --to`'s rules: an attempt whose
 * recipient is the address or its redacted form (a refusal that names several matches any of
 * them), a bounce of the address, and the attempts and bounces of the mail ids and Message-Ids that
 * those tie to it, including the earlier records of a mail whose recipient only a later record
 * tells (a bounce hours later).
 *
 * One pass with a bounded look-back: a record waits while the parser holds its event (HOLD_MS of
 * log time, at most MAX_HELD events), the time in which the records that can complete it may come,
 * then it is chosen or dropped. Records that are neither attempts nor bounces are decided at once.
 * Records carry `bytes` and `source` for grepChosen.
 */
export async function* recipientRecords(sources: readonly LogSource[], address: string, opts: RecipientRecordsOptions = {}): AsyncGenerator<ChosenEvent, RecordSummary> {
  const matches = addressMatcher(address)
  const names = namesAddress(address)
  const ids = new RecentMap<number, true>(LINK_DAYS / 2)
  const messageIds = new RecentMap<string, true>(LINK_DAYS / 2)
  /**
   * Records and errors in read order; a record's decision is null until its event is final. An entry
   * keeps the record's bytes only while it may still be printed, and never its text (`named` says
   * what the text told): the parser holds the records of its events for hours of log time.
   */
  const queue: (Entry | { event: ChosenEvent })[] = []
  let head = 0
  const entries = new Map<LogRecord, Entry>()
  const decide = (rec: LogRecord, chosen: boolean) => {
    const e = entries.get(rec)
    if (!e) return
    e.chosen = chosen || e.named
    if (!e.chosen) rec.bytes = undefined
    entries.delete(rec)
  }
  const tracker: RecordTracker = {
    record(rec, held) {
      if (!held) decide(rec, false)
    },
    event(ev, records) {
      const linked = tiedTo(ev)
      if (linked) remember(ev)
      for (const r of records) decide(r, linked)
    },
  }
  function tiedTo(ev: MailEvent): boolean {
    if (ev.kind === 'attempt') {
      ids.day(ev.day)
      messageIds.day(ev.day)
      return recipientsOf(ev).some(matches) || (ev.mailId !== null && ids.get(ev.mailId) !== undefined) || (ev.messageId !== null && messageIds.get(ev.messageId) !== undefined)
    }
    if (ev.kind === 'bounce') {
      ids.day(ev.day)
      messageIds.day(ev.day)
      return matches(ev.bouncedAddress) || (ev.mailId !== null && ids.get(ev.mailId) !== undefined) || ev.originalMessageIds.some((m) => messageIds.get(m) !== undefined)
    }
    return false
  }
  function remember(ev: MailEvent) {
    if (ev.kind === 'attempt') {
      if (ev.mailId !== null) ids.set(ev.mailId, true)
      if (ev.messageId !== null) messageIds.set(ev.messageId, true)
    } else if (ev.kind === 'bounce') {
      if (ev.mailId !== null) ids.set(ev.mailId, true)
      for (const m of ev.originalMessageIds) messageIds.set(m, true)
    }
  }
  /** The front of the queue that is decided: the chosen records (and errors) in order. */
  function* ready(): Generator<ChosenEvent> {
    let batch: LogRecord[] = []
    for (; head < queue.length; head++) {
      const q = queue[head]!
      if ('event' in q) {
        if (batch.length) yield { kind: 'records', records: batch }
        batch = []
        yield q.event
        continue
      }
      if (q.chosen === null) break
      if (q.chosen) batch.push(q.rec)
    }
    if (batch.length) yield { kind: 'records', records: batch }
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head)
      head = 0
    }
  }

  const parser = new Parser(tracker)
  const pattern = [...LINK_PATTERNS, ...new Set([normalizeAddress(address), redactAddress(normalizeAddress(address))].map(caseless))]
  const input = readRecords(sources, { patterns: pattern, syntax: 'extended', keepBytes: true, countRecords: false, text: true, readAhead: READ_AHEAD, lines: opts.lines ?? true, since: opts.since, until: opts.until, signal: opts.signal, follow: opts.follow })
  let summary: RecordSummary
  try {
    for (;;) {
      const r = await input.next()
      if (r.done) {
        summary = r.value
        break
      }
      const ev = r.value
      if (ev.kind === 'error' || ev.kind === 'file') queue.push({ event: ev })
      else if (ev.kind === 'idle') parser.settle()
      else
        for (const rec of ev.records) {
          const e: Entry = { rec, chosen: null, named: names(rec.text) }
          queue.push(e)
          // a mail sent to someone whose redacted form is not hers (18+ logs it on every success): not
          // hers, nor its bounces; the parser need not read it (most of a mass mailing)
          const other = REDACTED_TO.exec(rec.text)
          if (other && !matches(other[1] ?? other[2]!)) {
            e.chosen = e.named
            if (!e.chosen) rec.bytes = undefined
            parser.clock(rec)
            continue
          }
          entries.set(rec, e)
          parser.record(rec)
          rec.text = ''
        }
      parser.take()
      yield* ready()
    }
    parser.release(true)
    parser.take()
    yield* ready()
  } finally {
    await input.return(undefined as never)
  }
  return summary
}

interface Entry {
  rec: LogRecord
  chosen: boolean | null
  /** The record names the address or its redacted form. */
  named: boolean
}

/** The recipient of an 18+ success line, as logged (`to (redacted) 'j***@example.com' successfully sent`). */
const REDACTED_TO = /^[^\n]* to \(redacted\) (?:'([^'\n]*)'|"([^"\n]*)") successfully sent/

/** Whether a record's text names ADDRESS or its redacted form as a whole address, in any case. */
function namesAddress(address: string): (text: string) => boolean {
  const forms = [...new Set([normalizeAddress(address), redactAddress(normalizeAddress(address))])]
  return (text) => {
    const t = text.toLowerCase()
    for (const f of forms) {
      for (let i = t.indexOf(f); i >= 0; i = t.indexOf(f, i + 1)) {
        const before = i > 0 ? t.charCodeAt(i - 1) : 32
        const after = t.slice(i + f.length, i + f.length + 2)
        // not inside a longer address: `xjdoe@example.com`, `jdoe@example.com.au`
        if (!ADDRESS_CHAR.test(String.fromCharCode(before)) && !/^(?:[a-z0-9_-]|\.[a-z0-9])/.test(after)) return true
      }
    }
    return false
  }
}

/** What goes on an address in practice (RFC 5322 allows more: `=` and `?` would miss `?email=ADDRESS` in a URL). */
const ADDRESS_CHAR = /[a-z0-9._%+-]/

/** A fixed string as an ERE. */
function ereLiteral(s: string): string {
  return s.replace(/[\\.[\]*^$+?{}()|]/g, '\\$&')
}

/** A fixed string as an ERE that ignores ASCII case (`[jJ][dD]…`); the rest of the prefilter keeps its case. */
function caseless(s: string): string {
  let out = ''
  for (const ch of s) out += /[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ereLiteral(ch)
  return out
}
