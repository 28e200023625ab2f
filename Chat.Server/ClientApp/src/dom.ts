// Everything that comes from the network is put on the page with textContent: never as HTML.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const countFormat = new Intl.NumberFormat();

export function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) {
    throw new Error(`#${id} is missing from index.html`);
  }
  return found as T;
}

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (className !== undefined) {
    created.className = className;
  }
  if (text !== undefined) {
    created.textContent = text;
  }
  return created;
}

export function button(className: string, text: string, label?: string): HTMLButtonElement {
  const created = element("button", className, text);
  created.type = "button";
  if (label !== undefined) {
    created.setAttribute("aria-label", label);
    created.title = label;
  }
  return created;
}

/** A time in the user's own time zone and locale, with the full date on hover. */
export function timeElement(at: Date | string, className?: string): HTMLTimeElement {
  const date = at instanceof Date ? at : new Date(at);
  const time = element("time", className, timeFormat.format(date));
  time.dateTime = date.toISOString();
  time.title = fullTimeFormat.format(date);
  return time;
}

/** A moment with its date ("3 Mar 2026, 14:05"), for lists that span days; the full time on hover. */
export function dateTimeElement(at: Date | string, className?: string): HTMLTimeElement {
  const date = at instanceof Date ? at : new Date(at);
  const time = element("time", className, dateTimeFormat.format(date));
  time.dateTime = date.toISOString();
  time.title = fullTimeFormat.format(date);
  return time;
}

/** The distance of a scroller from its bottom, in pixels. */
export function distanceFromBottom(scroller: HTMLElement): number {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
}

/** A count as the user writes numbers ("1,234" in English). */
export function formatCount(count: number): string {
  return countFormat.format(count);
}

/** A moment in words for notices ("until 3 Mar 2026, 14:05"), in the user's own time zone and locale. */
export function formatDateTime(at: Date | string): string {
  return dateTimeFormat.format(at instanceof Date ? at : new Date(at));
}
