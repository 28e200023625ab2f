import { ChatLimits } from "@chat/client";
import { guestUserId, Limits } from "./limits";
import { byId } from "./dom";
import { describeError } from "./errors";
import type { RoomState } from "./room";
import type { ChatStore } from "./store";

/** "alice, bob carol" → ["alice", "bob", "carol"]: people are named by their user names. */
export function splitNames(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((name) => name.trim()).filter((name) => name !== ""))];
}

/**
 * The form that makes a private room: its name, an optional title and the people in it from the start (by user
 * name; a guest's user id is "guest:" + the name in lower case). The user becomes its owner and it opens.
 */
export class NewRoomView {
  private readonly panel = byId<HTMLDetailsElement>("new-room-panel");
  private readonly form = byId<HTMLFormElement>("new-room-form");
  private readonly nameInput = byId<HTMLInputElement>("new-room-name");
  private readonly titleInput = byId<HTMLInputElement>("new-room-title");
  private readonly peopleInput = byId<HTMLInputElement>("new-room-people");
  private readonly error = byId<HTMLParagraphElement>("new-room-error");

  constructor(
    private readonly store: ChatStore,
    private readonly opened: (room: RoomState) => void,
  ) {
    this.titleInput.maxLength = Limits.maxRoomTitle;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.create();
    });
    this.panel.addEventListener("toggle", () => {
      if (this.panel.open) {
        this.nameInput.focus();
      }
    });
  }

  private async create(): Promise<void> {
    const name = this.nameInput.value.trim();
    if (name === "") {
      return;
    }
    this.error.textContent = "";
    if (name.toLowerCase().startsWith(ChatLimits.DirectRoomPrefix)) {
      this.error.textContent = `Names starting with “${ChatLimits.DirectRoomPrefix}” are kept for direct conversations: choose another.`;
      return;
    }
    const people = splitNames(this.peopleInput.value);
    const title = this.titleInput.value.trim();
    let room: RoomState;
    try {
      room = await this.store.createPrivateRoom(name, title === "" ? null : title, people.map(guestUserId));
    } catch (error) {
      this.error.textContent = describeError(error, {
        not_found:
          people.length === 1
            ? `Nobody called ${people[0]} has signed in here yet.`
            : `Someone in the list has not signed in here yet: check the names (${people.join(", ")}).`,
        forbidden: "That name cannot be used for a room: choose another.",
        invalid_request: `Check the title (at most ${Limits.maxRoomTitle} characters) and the people (at most 100).`,
      });
      return;
    }
    this.nameInput.value = "";
    this.titleInput.value = "";
    this.peopleInput.value = "";
    this.panel.open = false;
    this.opened(room);
  }
}
