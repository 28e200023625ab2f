import { type ChatHubProxy, type SearchHit, type SearchRequest, type SearchResult } from "@chat/client";
import { Limits } from "./limits";
import { byId, dateTimeElement, element } from "./dom";
import { describeError } from "./errors";

/** One search as asked: the next pages keep asking the same. */
interface Search {
  query: string;
  room: string | null;
}

/**
 * The server's snippet is HTML: escaped text with each matched word in <mark>. It is parsed in an inert template
 * (nothing there runs or loads) and rebuilt from its text and its marks alone, so even a snippet that broke that
 * promise could put nothing else on the page.
 */
function renderSnippet(html: string): HTMLParagraphElement {
  const snippet = element("p", "search-snippet");
  const template = document.createElement("template");
  template.innerHTML = html;
  for (const node of Array.from(template.content.childNodes)) {
    snippet.append(node.nodeName === "MARK" ? element("mark", undefined, node.textContent ?? "") : (node.textContent ?? ""));
  }
  return snippet;
}

/**
 * Search in the top bar: the words go to SearchMessages (every room the user may read, or with "This room only" the
 * room in view); the hits, newest first, show room, sender, time and the snippet with the matched words marked;
 * "More results" asks for the next page with the cursor of the last. Choosing a hit opens its room at the message.
 * An answer that comes after a newer search was started is dropped.
 */
export class SearchView {
  private search: Search | undefined;
  private hits: SearchHit[] = [];
  private nextCursor: string | null = null;
  private loading = false;
  /** Counts searches: the answer of one that was replaced meanwhile is not shown. */
  private generation = 0;
  private roomInView: string | undefined;
  private readonly area = byId<HTMLDivElement>("search");
  private readonly form = byId<HTMLFormElement>("search-form");
  private readonly input = byId<HTMLInputElement>("search-input");
  private readonly scope = byId<HTMLLabelElement>("search-scope");
  private readonly roomOnly = byId<HTMLInputElement>("search-room-only");
  private readonly panel = byId<HTMLElement>("search-panel");
  private readonly error = byId<HTMLParagraphElement>("search-error");
  private readonly status = byId<HTMLParagraphElement>("search-status");
  private readonly list = byId<HTMLOListElement>("search-results");
  private readonly more = byId<HTMLButtonElement>("search-more");

  constructor(
    private readonly hub: ChatHubProxy,
    private readonly ownUserId: string,
    private readonly describeRoom: (room: string) => string,
    private readonly open: (hit: SearchHit) => void,
  ) {
    this.area.hidden = false;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.start();
    });
    this.roomOnly.addEventListener("change", () => {
      if (this.search !== undefined) {
        void this.start();
      }
    });
    this.more.addEventListener("click", () => void this.loadMore());
    this.list.addEventListener("click", (event) => {
      const index = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-index]")?.dataset["index"];
      const hit = index === undefined ? undefined : this.hits[Number(index)];
      if (hit !== undefined) {
        this.setOpen(false);
        this.open(hit);
      }
    });
    this.area.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.panel.hidden) {
        event.preventDefault();
        this.setOpen(false);
        this.input.focus();
      }
    });
    // A click anywhere else puts the results away, as the notification list does; searching again brings them back.
    document.addEventListener("click", (event) => {
      if (!this.panel.hidden && !this.area.contains(event.target as Node)) {
        this.setOpen(false);
      }
    });
    this.setRoom(undefined);
  }

  /** The room in view, when the user may read it: "This room only" is offered for it. */
  setRoom(room: string | undefined): void {
    this.roomInView = room;
    this.scope.hidden = room === undefined;
    if (room === undefined) {
      this.roomOnly.checked = false;
    }
    this.scope.title = room === undefined ? "" : `Search ${this.describeRoom(room)} only`;
  }

  private async start(): Promise<void> {
    const query = this.input.value.trim();
    if (query === "") {
      this.search = undefined;
      this.generation++;
      this.setOpen(false);
      return;
    }
    this.search = { query, room: this.roomOnly.checked ? (this.roomInView ?? null) : null };
    this.hits = [];
    this.nextCursor = null;
    this.generation++;
    this.setOpen(true);
    await this.fetch(null);
  }

  private async loadMore(): Promise<void> {
    if (this.nextCursor !== null && !this.loading) {
      await this.fetch(this.nextCursor);
    }
  }

  private async fetch(cursor: string | null): Promise<void> {
    const search = this.search;
    if (search === undefined) {
      return;
    }
    const generation = this.generation;
    const request: SearchRequest = { query: search.query, room: search.room, senderId: null, after: null, before: null, limit: Limits.searchPage, cursor };
    this.loading = true;
    this.error.textContent = "";
    this.render();
    let result: SearchResult | undefined;
    let failure: unknown;
    try {
      result = await this.hub.SearchMessages(request);
    } catch (error) {
      failure = error;
    }
    if (generation !== this.generation) {
      return; // a newer search is on its way: its answer is the one to show
    }
    this.loading = false;
    if (result === undefined) {
      this.error.textContent = describeError(failure, {
        forbidden: "You may not read that room, so it cannot be searched.",
        invalid_request: "Those results are out of date: search again.",
      });
    } else {
      this.hits.push(...result.hits);
      this.nextCursor = result.nextCursor;
    }
    this.render();
  }

  private setOpen(open: boolean): void {
    this.panel.hidden = !open;
    if (!open) {
      this.error.textContent = "";
    }
  }

  private render(): void {
    const search = this.search;
    // For tests and styles: whether the answer is in.
    this.panel.dataset["state"] = this.loading ? "loading" : this.error.textContent !== "" ? "failed" : "done";
    const where = search?.room == null ? "" : ` in ${this.describeRoom(search.room)}`;
    if (this.loading && this.hits.length === 0) {
      this.status.textContent = "Searching…";
    } else if (this.error.textContent !== "") {
      this.status.textContent = "";
    } else if (this.hits.length === 0) {
      this.status.textContent = `No messages found${where}.`;
    } else {
      const count = `${this.hits.length}${this.nextCursor !== null ? "+" : ""}`;
      this.status.textContent = `${count} ${this.hits.length === 1 && this.nextCursor === null ? "message" : "messages"} found${where}, newest first.`;
    }
    const focused = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement) ? document.activeElement.dataset["index"] : undefined;
    this.list.replaceChildren(...this.hits.map((hit, index) => this.renderHit(hit, index)));
    if (focused !== undefined) {
      this.list.querySelector<HTMLElement>(`button[data-index="${focused}"]`)?.focus();
    }
    this.more.hidden = this.nextCursor === null;
    this.more.disabled = this.loading;
    this.more.textContent = this.loading ? "Loading more…" : "More results";
  }

  private renderHit(hit: SearchHit, index: number): HTMLLIElement {
    const { message } = hit;
    const item = element("li", "search-hit");
    const open = element("button", "search-open");
    open.type = "button";
    open.dataset["index"] = String(index);
    open.dataset["room"] = message.room;
    open.dataset["id"] = message.id;
    const own = message.senderId === this.ownUserId;
    const meta = element("span", "search-meta");
    meta.append(
      element("span", "search-room", this.describeRoom(message.room)),
      " ",
      element("span", "search-sender", own ? `${message.senderName} (you)` : message.senderName),
      " ",
      dateTimeElement(message.sentAt, "search-time"),
    );
    open.append(meta, renderSnippet(hit.snippet));
    item.append(open);
    return item;
  }
}
