// "@name" in a message: the composer turns the names of people it knows into PostMessageRequest.mentions (user ids),
// and a message shows the "@name" parts that name one of its mentions highlighted.

const MaxMentions = 50;
// User names are 1–32 letters, digits, '_', '-', '.' (ChatRules.IsValidUserName).
const MentionPattern = /@([\p{L}\p{Nd}_.-]{1,32})/gu;

export interface ContentPart {
  text: string;
  /** The user id this "@name" mentions, for the parts that are mentions. */
  mention?: string;
}

/** A name as written, and the same without sentence punctuation after it ("@bob." → "bob"). */
function candidates(name: string): string[] {
  const trimmed = name.replace(/[.-]+$/u, "");
  return trimmed !== name && trimmed !== "" ? [name, trimmed] : [name];
}

function idsByName(known: ReadonlyMap<string, string>): Map<string, string> {
  const byName = new Map<string, string>();
  for (const [userId, userName] of known) {
    byName.set(userName.toLowerCase(), userId);
  }
  return byName;
}

/** The user ids of the known people the text names with "@name", once each, in order. */
export function findMentions(text: string, known: ReadonlyMap<string, string>): string[] {
  const byName = idsByName(known);
  const ids: string[] = [];
  for (const match of text.matchAll(MentionPattern)) {
    const id = candidates(match[1]!)
      .map((name) => byName.get(name.toLowerCase()))
      .find((found) => found !== undefined);
    if (id !== undefined && !ids.includes(id)) {
      ids.push(id);
    }
  }
  return ids.slice(0, MaxMentions);
}

/** Splits a message's text into plain parts and the "@name" parts that name one of its mentions. */
export function contentParts(content: string, mentions: readonly string[], known: ReadonlyMap<string, string>): ContentPart[] {
  if (mentions.length === 0) {
    return [{ text: content }];
  }
  const byName = idsByName(known);
  const mentionOf = (name: string): string | undefined => {
    const lower = name.toLowerCase();
    // Guests' ids are "guest:" + their lower-case name, so a mention is found even for someone the page never saw.
    return mentions.find((id) => id === byName.get(lower) || id === `guest:${lower}`);
  };
  const parts: ContentPart[] = [];
  let at = 0;
  for (const match of content.matchAll(MentionPattern)) {
    for (const name of candidates(match[1]!)) {
      const mention = mentionOf(name);
      if (mention !== undefined) {
        const start = match.index;
        if (start > at) {
          parts.push({ text: content.slice(at, start) });
        }
        parts.push({ text: `@${name}`, mention });
        at = start + 1 + name.length;
        break;
      }
    }
  }
  if (at < content.length) {
    parts.push({ text: content.slice(at) });
  }
  return parts;
}
