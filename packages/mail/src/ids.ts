/**
 * A table from mail ids to small integers (attempts so far, a group index), 4 bytes a mail: Odoo's
 * mail ids come from one sequence, so they are dense and pages of 4,096 ids fill up. 600,000 mails
 * take 2.4 MB here against about 40 MB as a Map of numbers. Past PAGE_CAP pages (sparse, huge ids)
 * the rest go to a Map.
 */
export class IdTable {
  private readonly pages = new Map<number, Int32Array>()
  private readonly spill = new Map<number, number>()

  get(id: number): number {
    const page = this.pages.get(Math.floor(id / PAGE))
    if (page) return page[id % PAGE]!
    return this.spill.get(id) ?? 0
  }

  set(id: number, value: number): void {
    const n = Math.floor(id / PAGE)
    let page = this.pages.get(n)
    if (!page && Number.isSafeInteger(id) && id >= 0 && this.pages.size < PAGE_CAP && !this.spill.has(id)) this.pages.set(n, (page = new Int32Array(PAGE)))
    if (page) page[id % PAGE] = value
    else this.spill.set(id, value)
  }
}

const PAGE = 4096
const PAGE_CAP = 4096 // 64 MB of pages at most
