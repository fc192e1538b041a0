// Debian's Chromium, driven by playwright-core (which never downloads a browser of its own).
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'

/** The system Chromium: $CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Why the browser tests cannot run here, or null. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`
}

// As the machine's own probe starts it: headless, no sandbox (root), and none of Chromium's own
// background connections (this network refuses them, and they would count as requests).
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions']

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
}

/** What a page did while it loaded: console errors, uncaught errors, every request, dialogs (alert). */
export interface Opened {
  page: Page
  consoleErrors: string[]
  pageErrors: string[]
  requests: string[]
  dialogs: string[]
  close(): Promise<void>
}

/** Opens a file as a reader would (file://), with JavaScript on or off, and records what it did. */
export async function openFile(browser: Browser, file: string, opts: { javaScript?: boolean; width?: number } = {}): Promise<Opened> {
  const context = await browser.newContext({ javaScriptEnabled: opts.javaScript ?? true, viewport: { width: opts.width ?? 1100, height: 900 } })
  const page = await context.newPage()
  const url = pathToFileURL(file).href
  const o: Opened = { page, consoleErrors: [], pageErrors: [], requests: [], dialogs: [], close: () => context.close() }
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') o.consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => o.pageErrors.push(String(e)))
  page.on('dialog', (d) => {
    o.dialogs.push(d.message())
    void d.dismiss()
  })
  // every request but the document itself: the report must make none, not even a blocked one
  page.on('request', (r) => {
    if (r.url() !== url) o.requests.push(r.url())
  })
  await page.goto(url, { waitUntil: 'load' })
  return o
}
