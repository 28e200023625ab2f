import { humanSize } from "./attachments";
import { ChatRoutes, type Attachment } from "@chat/client";
import { Limits } from "./limits";
import { button, byId, element } from "./dom";

type UploadState = "uploading" | "done" | "failed";

/** One file on its way into the next message. */
interface Upload {
  file: File;
  state: UploadState;
  /** Bytes sent so far. */
  sent: number;
  attachment: Attachment | undefined;
  error: string;
  /** A failure worth trying again (not "too large", not "too many"). */
  retryable: boolean;
  request: XMLHttpRequest | undefined;
  item: HTMLLIElement;
}

const TooLarge = `too large (max ${humanSize(Limits.defaultAttachmentMaxBytes)})`;

/** Why the server refused an upload, in words by the file. */
function refusal(status: number, body: string, file: File): { error: string; retryable: boolean } {
  if (status === 413) {
    return { error: TooLarge, retryable: false };
  }
  if (status === 0) {
    // The server refuses an oversized upload from its Content-Length at once and closes the connection: the browser,
    // still sending, may then see a broken connection instead of the 413.
    return file.size > Limits.defaultAttachmentMaxBytes
      ? { error: TooLarge, retryable: false }
      : { error: "upload failed: the server cannot be reached", retryable: true };
  }
  if (status === 401) {
    return { error: "upload refused: your sign-in ran out (reload the page)", retryable: true };
  }
  if (status >= 500) {
    return { error: "the server could not store it right now", retryable: true };
  }
  let detail: string | undefined;
  try {
    detail = (JSON.parse(body) as { detail?: string }).detail;
  } catch {
    // Not problem details: the status says enough.
  }
  return { error: detail ?? `upload refused (HTTP ${status})`, retryable: false };
}

/**
 * The files of the message being written: picked with the paperclip, dropped on the room or pasted into the input.
 * Each uploads at once (POST /api/attachments, with a progress bar), and may be removed (its upload stopped) until
 * the message is sent; errors show by the file. The composer asks for the ids of the uploaded ones when it sends.
 * An uploaded file no message claims is removed by the server a day later: nothing to clean up here.
 */
export class UploadsView {
  private readonly uploads: Upload[] = [];
  private enabled = false;
  private readonly list = byId<HTMLUListElement>("uploads");
  private readonly attachButton = byId<HTMLButtonElement>("attach");
  private readonly picker = byId<HTMLInputElement>("file-picker");
  private readonly dropZone = byId<HTMLElement>("room");

  constructor(
    private readonly accessToken: () => Promise<string>,
    input: HTMLInputElement,
    /** The set of files or their states changed (the composer may send now, or not). */
    private readonly changed: () => void,
  ) {
    this.attachButton.addEventListener("click", () => this.picker.click());
    this.picker.addEventListener("change", () => {
      this.add(this.picker.files);
      // The same file picked again is a change too.
      this.picker.value = "";
    });
    input.addEventListener("paste", (event) => {
      if (this.enabled && (event.clipboardData?.files.length ?? 0) > 0) {
        event.preventDefault();
        this.add(event.clipboardData!.files);
      }
    });
    this.list.addEventListener("click", (event) => {
      const control = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
      const upload = this.uploads.find((u) => u.item.contains(control));
      if (control === null || upload === undefined) {
        return;
      }
      if (control.dataset["action"] === "remove-upload") {
        this.remove(upload);
      } else if (control.dataset["action"] === "retry-upload") {
        void this.start(upload);
      }
    });
    this.listenForDrops();
    this.render();
  }

  /** A room the user may write in is in view: files can be added. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.attachButton.disabled = !enabled;
  }

  /** Ids of the uploaded files, in the order they were added. */
  get readyIds(): string[] {
    return this.uploads.filter((u) => u.state === "done").map((u) => u.attachment!.id);
  }

  get uploading(): boolean {
    return this.uploads.some((u) => u.state === "uploading");
  }

  get failed(): boolean {
    return this.uploads.some((u) => u.state === "failed");
  }

  /** The message with these files was posted: they leave the list (files added meanwhile stay). */
  sent(ids: readonly string[]): void {
    for (const upload of this.uploads.filter((u) => u.attachment !== undefined && ids.includes(u.attachment.id))) {
      this.remove(upload, false);
    }
    this.changed();
  }

  add(files: FileList | readonly File[] | null): void {
    if (files === null || !this.enabled) {
      return;
    }
    for (const file of Array.from(files)) {
      const upload: Upload = { file, state: "uploading", sent: 0, attachment: undefined, error: "", retryable: false, request: undefined, item: element("li", "upload") };
      this.uploads.push(upload);
      this.list.append(upload.item);
      if (this.uploads.filter((u) => u.state !== "failed").length > Limits.maxAttachmentsPerMessage) {
        this.fail(upload, `at most ${Limits.maxAttachmentsPerMessage} files per message`, false);
      } else {
        void this.start(upload);
      }
    }
    this.render();
    this.changed();
  }

  private async start(upload: Upload): Promise<void> {
    upload.state = "uploading";
    upload.sent = 0;
    upload.error = "";
    this.draw(upload);
    this.changed();
    let token: string;
    try {
      token = await this.accessToken();
    } catch {
      this.fail(upload, "upload failed: the server cannot be reached", true);
      return;
    }
    if (!this.uploads.includes(upload)) {
      return; // removed while the token was fetched
    }
    const request = new XMLHttpRequest();
    upload.request = request;
    request.open("POST", ChatRoutes.Attachments);
    request.setRequestHeader("Authorization", `Bearer ${token}`);
    request.upload.addEventListener("progress", (event) => {
      upload.sent = event.loaded;
      const bar = upload.item.querySelector("progress");
      if (bar !== null) {
        bar.value = Math.min(upload.sent, bar.max);
      }
    });
    request.addEventListener("load", () => {
      upload.request = undefined;
      if (request.status === 201) {
        upload.attachment = JSON.parse(request.responseText) as Attachment;
        upload.state = "done";
        upload.sent = upload.file.size;
        this.draw(upload);
        this.changed();
      } else {
        const { error, retryable } = refusal(request.status, request.responseText, upload.file);
        this.fail(upload, error, retryable);
      }
    });
    request.addEventListener("error", () => {
      upload.request = undefined;
      const { error, retryable } = refusal(0, "", upload.file);
      this.fail(upload, error, retryable);
    });
    const form = new FormData();
    form.append("file", upload.file, upload.file.name);
    request.send(form);
  }

  private fail(upload: Upload, error: string, retryable: boolean): void {
    upload.state = "failed";
    upload.error = error;
    upload.retryable = retryable;
    this.draw(upload);
    this.changed();
  }

  private remove(upload: Upload, notify = true): void {
    const index = this.uploads.indexOf(upload);
    if (index < 0) {
      return;
    }
    this.uploads.splice(index, 1);
    // Stopped on the way: the server stores nothing of a request that did not end.
    upload.request?.abort();
    upload.item.remove();
    this.render();
    if (notify) {
      this.changed();
    }
  }

  private render(): void {
    this.list.hidden = this.uploads.length === 0;
    for (const upload of this.uploads) {
      this.draw(upload);
    }
  }

  /** One file's line: name, size, progress or what went wrong, and its buttons. */
  private draw(upload: Upload): void {
    const { file, item } = upload;
    item.dataset["state"] = upload.state;
    const focused = document.activeElement instanceof HTMLElement && item.contains(document.activeElement) ? document.activeElement.dataset["action"] : undefined;
    const parts: (Node | string)[] = [element("span", "upload-name", file.name), " ", element("span", "upload-size", humanSize(file.size))];
    if (upload.state === "uploading") {
      const progress = element("progress", "upload-progress");
      progress.max = Math.max(file.size, 1);
      progress.value = Math.min(upload.sent, progress.max);
      progress.setAttribute("aria-label", `Uploading ${file.name}`);
      parts.push(" ", progress);
    } else if (upload.state === "done") {
      parts.push(" ", element("span", "upload-done", "ready"));
    } else {
      parts.push(" ", element("span", "upload-error", upload.error));
      if (upload.retryable) {
        const retry = button("upload-retry", "Try again", `Upload ${file.name} again`);
        retry.dataset["action"] = "retry-upload";
        parts.push(" ", retry);
      }
    }
    const remove = button("upload-remove", "✕", `Remove ${file.name}`);
    remove.dataset["action"] = "remove-upload";
    parts.push(" ", remove);
    item.replaceChildren(...parts);
    if (focused !== undefined) {
      (item.querySelector<HTMLElement>(`[data-action="${focused}"]`) ?? remove).focus();
    }
  }

  /** Files dropped anywhere on the room (messages or composer) are added; elsewhere a drop does nothing. */
  private listenForDrops(): void {
    const carriesFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes("Files") === true;
    let depth = 0;
    const setActive = (active: boolean): void => {
      this.dropZone.classList.toggle("drop-target", active);
    };
    this.dropZone.addEventListener("dragenter", (event) => {
      if (this.enabled && carriesFiles(event)) {
        depth++;
        setActive(true);
      }
    });
    this.dropZone.addEventListener("dragleave", (event) => {
      if (this.enabled && carriesFiles(event) && --depth <= 0) {
        depth = 0;
        setActive(false);
      }
    });
    this.dropZone.addEventListener("dragover", (event) => {
      if (this.enabled && carriesFiles(event)) {
        event.preventDefault();
        event.dataTransfer!.dropEffect = "copy";
      }
    });
    this.dropZone.addEventListener("drop", (event) => {
      depth = 0;
      setActive(false);
      if (this.enabled && (event.dataTransfer?.files.length ?? 0) > 0) {
        event.preventDefault();
        this.add(event.dataTransfer!.files);
      }
    });
    // A file dropped beside the drop zone would otherwise replace the whole page with it.
    for (const type of ["dragover", "drop"] as const) {
      window.addEventListener(type, (event) => {
        if (carriesFiles(event) && !event.defaultPrevented) {
          event.preventDefault();
          event.dataTransfer!.dropEffect = "none";
        }
      });
    }
  }
}
