import { type Attachment } from "@chat/client";
import { InlineImageTypes } from "./limits";
import { element } from "./dom";

// The box an inline image is fitted into (CSS pixels): small enough that a photo does not push the room off screen.
const ThumbnailMaxWidth = 320;
const ThumbnailMaxHeight = 240;

const sizeFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const SizeUnits = ["KiB", "MiB", "GiB"] as const;

/** A byte count for people: "512 B", "12.5 KiB", "3 MiB". */
export function humanSize(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < SizeUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sizeFormat.format(value >= 100 ? Math.round(value) : value)} ${SizeUnits[unit]}`;
}

/**
 * Fetches a file with the user's bearer token. A signed link lasts an hour (at least), and a page stays open longer
 * than that: the server also serves a file to a token of someone who may read its room, whatever the link's age.
 */
export type FileFetcher = (url: string) => Promise<Blob>;

export function bearerFetcher(accessToken: () => Promise<string>): FileFetcher {
  return async (url) => {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${await accessToken()}` } });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    return response.blob();
  };
}

/** Whether a signed link has passed its `expires` (unix seconds), by this browser's clock. */
function linkExpired(url: string): boolean {
  const expires = Number(new URL(url, location.href).searchParams.get("expires"));
  return expires > 0 && expires * 1000 <= Date.now();
}

// Object URLs of fetched files are let go once the browser has had time to use them (a download or a new tab).
const ObjectUrlLifetimeMs = 60_000;

function objectUrl(blob: Blob): string {
  const url = URL.createObjectURL(blob);
  setTimeout(() => URL.revokeObjectURL(url), ObjectUrlLifetimeMs);
  return url;
}

/** Whether the page shows the attachment inline: only the image types the server itself serves inline. */
export function isInlineImage(attachment: Attachment): boolean {
  return InlineImageTypes.has(attachment.contentType);
}

/** What stands for a message without text in a reply's quote or bar: its files. */
export function attachmentsSummary(attachments: readonly Attachment[]): string {
  if (attachments.length === 0) {
    return "";
  }
  return attachments.length === 1 ? `📎 ${attachments[0]!.fileName}` : `📎 ${attachments.length} files`;
}

/**
 * A message's files: PNG, JPEG, GIF and WebP as thumbnails (a click opens the full image in a new tab), everything
 * else as a download link with its name and size. Nothing else is ever inlined, whatever its name says: the type is
 * the one the server detected from the bytes. The url is the server's signed link, relative to the page's origin.
 *
 * A link that has expired by the time it is used (a thumbnail loaded lazily, a click an hour later) is fetched with
 * the user's token instead (`fetchFile`).
 */
export function renderAttachments(attachments: readonly Attachment[], fetchFile: FileFetcher): HTMLDivElement {
  const box = element("div", "attachments");
  for (const attachment of attachments) {
    box.append(isInlineImage(attachment) ? renderImage(attachment, fetchFile) : renderFile(attachment, fetchFile));
  }
  return box;
}

function renderImage(attachment: Attachment, fetchFile: FileFetcher): HTMLAnchorElement {
  const link = element("a", "attachment attachment-image");
  link.href = attachment.url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.title = `${attachment.fileName} (${humanSize(attachment.size)}): open full size`;
  link.dataset["attachmentId"] = attachment.id;
  const image = element("img");
  image.src = attachment.url;
  image.alt = attachment.fileName;
  image.loading = "lazy";
  image.decoding = "async";
  // Once: if the token does not bring it either, the browser's broken-image sign with the file's name stays.
  image.addEventListener(
    "error",
    () => {
      fetchFile(attachment.url).then(
        (blob) => {
          const url = URL.createObjectURL(blob);
          image.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
          image.src = url;
        },
        () => undefined,
      );
    },
    { once: true },
  );
  link.addEventListener("click", (event) => {
    if (linkExpired(attachment.url)) {
      event.preventDefault();
      // Opened now, while the click still allows a new tab; filled when the file is here.
      const tab = window.open("", "_blank");
      if (tab !== null) {
        tab.opener = null;
        fetchFile(attachment.url).then((blob) => tab.location.replace(objectUrl(blob)), () => tab.close());
      }
    }
  });
  const { width, height } = attachment;
  if (width !== null && height !== null && width > 0 && height > 0) {
    // The real size as attributes gives the ratio and the width below the box's; with height: auto the browser
    // reserves the image's box before the bytes arrive, so nothing below it jumps when it loads.
    image.width = width;
    image.height = height;
    image.style.width = `${Math.round(Math.min(width, ThumbnailMaxWidth, (ThumbnailMaxHeight * width) / height))}px`;
  }
  link.append(image);
  return link;
}

function renderFile(attachment: Attachment, fetchFile: FileFetcher): HTMLAnchorElement {
  const link = element("a", "attachment attachment-file");
  link.href = attachment.url;
  // Same origin, so the browser saves it under this name (the server also says so: Content-Disposition attachment).
  link.download = attachment.fileName;
  link.dataset["attachmentId"] = attachment.id;
  link.append(element("span", "attachment-icon", "📄"), " ", element("span", "attachment-name", attachment.fileName), " ", element("span", "attachment-size", humanSize(attachment.size)));
  link.setAttribute("aria-label", `Download ${attachment.fileName}, ${humanSize(attachment.size)}`);
  link.addEventListener("click", (event) => {
    if (linkExpired(attachment.url)) {
      event.preventDefault();
      void fetchFile(attachment.url).then(
        (blob) => {
          const save = element("a");
          save.href = objectUrl(blob);
          save.download = attachment.fileName;
          save.click();
        },
        () => undefined,
      );
    }
  });
  return link;
}
