import { InlineImageTypes, type Attachment } from "./contracts";
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
 */
export function renderAttachments(attachments: readonly Attachment[]): HTMLDivElement {
  const box = element("div", "attachments");
  for (const attachment of attachments) {
    box.append(isInlineImage(attachment) ? renderImage(attachment) : renderFile(attachment));
  }
  return box;
}

function renderImage(attachment: Attachment): HTMLAnchorElement {
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

function renderFile(attachment: Attachment): HTMLAnchorElement {
  const link = element("a", "attachment attachment-file");
  link.href = attachment.url;
  // Same origin, so the browser saves it under this name (the server also says so: Content-Disposition attachment).
  link.download = attachment.fileName;
  link.dataset["attachmentId"] = attachment.id;
  link.append(element("span", "attachment-icon", "📄"), " ", element("span", "attachment-name", attachment.fileName), " ", element("span", "attachment-size", humanSize(attachment.size)));
  link.setAttribute("aria-label", `Download ${attachment.fileName}, ${humanSize(attachment.size)}`);
  return link;
}
