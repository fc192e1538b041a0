/**
 * grep's --include, --exclude and --exclude-dir: shell wildcards (`*`, `?`, `[...]` with `!` or `^`,
 * classes, `\x`) matched as fnmatch does without flags, so `*` also takes a leading dot. Written
 * here rather than taken from picomatch or minimatch: those read globs as paths (`**`, dot files,
 * braces), grep reads them as fnmatch(3).
 */

/** One --include (include: true) or --exclude option, in the order given. */
export interface FileRule {
  glob: string
  include: boolean
}

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\v\\f\\r',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', print: ' -~', graph: '!-~', cntrl: '\\x00-\\x1f\\x7f', xdigit: '0-9A-Fa-f',
}

const esc = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')

/** A glob as a RegExp over the whole string. */
export function globRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*') re += '[^]*'
    else if (c === '?') re += '[^]'
    else if (c === '\\' && i + 1 < glob.length) re += esc(glob[++i]!)
    else if (c === '[') {
      // a bracket: up to the first `]` that is not its first member; none: `[` is literal
      let j = i + 1
      let neg = false
      if (glob[j] === '!' || glob[j] === '^') {
        neg = true
        j++
      }
      let body = ''
      let first = true
      let closed = false
      for (; j < glob.length; j++) {
        const d = glob[j]!
        if (d === ']' && !first) {
          closed = true
          break
        }
        first = false
        const cls = d === '[' && glob[j + 1] === ':' ? /^\[:([a-z]+):\]/.exec(glob.slice(j)) : null
        if (cls && CLASSES[cls[1]!]) {
          body += CLASSES[cls[1]!]
          j += cls[0].length - 1
        } else if (d === '\\' && j + 1 < glob.length) body += esc(glob[++j]!)
        else if (d === '-' && body && glob[j + 1] !== ']' && j + 1 < glob.length) body += '-'
        else body += esc(d)
      }
      if (!closed) re += esc('[')
      else {
        re += `[${neg ? '^' : ''}${body}]`
        i = j
      }
    } else re += esc(c)
  }
  return new RegExp(`^${re}$`, 's')
}

/**
 * grep's excluded_file_name over the rules: the last rule whose glob matches decides; when none
 * matches, the file is kept unless the first rule is an --include. `suffixes`: a command-line name
 * matches through any of its suffixes that start after a `/` (`logs/odoo.log` matches `odoo.*`);
 * a name found in a folder is its base name only.
 */
export function keepFile(name: string, rules: readonly FileRule[], suffixes: boolean): boolean {
  if (rules.length === 0) return true
  const candidates = [name]
  if (suffixes) for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) if (i + 1 < name.length && name[i + 1] !== '/') candidates.push(name.slice(i + 1))
  let decided: boolean | null = null
  for (const r of rules) {
    const re = globRegExp(r.glob)
    if (candidates.some((c) => re.test(c))) decided = r.include
  }
  return decided ?? !rules[0]!.include
}
