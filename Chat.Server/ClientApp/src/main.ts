import { GuestSession, LoginRejected } from "./auth";
import { ComposerView } from "./composer";
import { ChatConnection, type ConnectionStatus } from "./connection";
import { byId } from "./dom";
import { describeError } from "./errors";
import { MembersView } from "./members";
import { MessageListView } from "./messageList";
import type { RoomState } from "./room";
import { RoomListView } from "./roomList";
import { ChatStore } from "./store";
import { TypingView } from "./typing";

// Room member counts of rooms the page has not joined come from ListRooms; joined rooms update live.
const RoomListRefreshMs = 15_000;

const StatusText: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline: waiting for the network",
};

/** The signed-in page: the store fed by the connection, and the views that show the room in view. */
class ChatPage {
  private readonly connection: ChatConnection;
  private readonly store: ChatStore;
  private readonly roomList: RoomListView;
  private readonly messages: MessageListView;
  private readonly composer: ComposerView;
  private readonly members: MembersView;
  private readonly typing = new TypingView();
  private readonly status = byId<HTMLParagraphElement>("connection-state");
  private readonly roomInput = byId<HTMLInputElement>("room-name");
  private readonly joinError = byId<HTMLParagraphElement>("join-error");
  private readonly roomTitle = byId<HTMLHeadingElement>("room-title");
  private readonly leaveButton = byId<HTMLButtonElement>("leave-room");

  constructor(session: GuestSession) {
    this.connection = new ChatConnection(session, {
      statusChanged: (status) => this.showStatus(status),
      connected: () => void this.store.restore(),
    });
    const inView = (room: RoomState): boolean => room === this.store.inView;
    this.store = new ChatStore(this.connection.hub, session.userId, {
      entriesAdded: (room, added, cause) => this.messages.entriesAdded(room, added, cause),
      messageChanged: (room, entry) => this.messages.messageChanged(room, entry),
      roomReloaded: (room) => this.messages.roomReloaded(room),
      membersChanged: (room) => inView(room) && this.members.render(room),
      typingChanged: (room) => inView(room) && this.typing.render(room),
      roomsChanged: () => this.roomList.render(),
    });
    this.roomList = new RoomListView(this.store, (room) => void this.openRoom(room));
    this.composer = new ComposerView(this.store, session.userId, () => this.connection.isConnected);
    this.messages = new MessageListView(this.store, session.userId, this.composer);
    this.members = new MembersView(session.userId);

    byId<HTMLFormElement>("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.joinFromForm();
    });
    this.leaveButton.addEventListener("click", () => void this.leaveRoomInView());
    setInterval(() => {
      if (this.connection.isConnected) {
        void this.store.refreshRoomList();
      }
    }, RoomListRefreshMs);
    this.showRoom(undefined);
  }

  start(): Promise<void> {
    return this.connection.start();
  }

  private showStatus(status: ConnectionStatus): void {
    this.status.dataset["state"] = status;
    this.status.textContent = StatusText[status];
  }

  private async joinFromForm(): Promise<void> {
    const name = this.roomInput.value.trim();
    if (name !== "" && (await this.openRoom(name))) {
      this.roomInput.value = "";
    }
  }

  /** Joins (when needed) and puts the room in view. */
  private async openRoom(name: string): Promise<boolean> {
    let room = this.store.rooms.get(name.toLowerCase());
    if (room === undefined) {
      try {
        room = await this.store.join(name);
      } catch (error) {
        this.joinError.textContent = describeError(error);
        return false;
      }
    }
    this.joinError.textContent = "";
    this.showRoom(room);
    this.composer.focusTarget.focus();
    return true;
  }

  private async leaveRoomInView(): Promise<void> {
    const room = this.store.inView;
    if (room === undefined) {
      return;
    }
    try {
      await this.store.leave(room);
    } catch (error) {
      this.composer.showError(describeError(error));
      return;
    }
    this.showRoom(this.store.rooms.values().next().value);
    this.roomInput.focus();
  }

  private showRoom(room: RoomState | undefined): void {
    this.store.view(room);
    this.roomTitle.textContent = room?.name ?? "No room open";
    this.leaveButton.hidden = room === undefined;
    this.composer.setRoom(room);
    this.messages.show(room);
    this.members.render(room);
    this.typing.render(room);
  }
}

// ---- sign-in ----

const UserNameKey = "chat.userName";

function setUpSignIn(): void {
  const form = byId<HTMLFormElement>("login-form");
  const input = byId<HTMLInputElement>("user-name");
  const error = byId<HTMLParagraphElement>("login-error");
  input.value = localStorage.getItem(UserNameKey) ?? "";
  input.focus();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      error.textContent = "";
      let session: GuestSession;
      try {
        session = await GuestSession.signIn(input.value.trim());
      } catch (failure) {
        error.textContent = failure instanceof LoginRejected ? failure.message : "The server cannot be reached. Try again in a moment.";
        return;
      }
      localStorage.setItem(UserNameKey, session.userName);
      byId("login").hidden = true;
      byId("chat").hidden = false;
      byId("whoami").textContent = `Signed in as ${session.userName}`;
      const page = new ChatPage(session);
      byId<HTMLInputElement>("room-name").focus();
      await page.start();
    })();
  });
}

setUpSignIn();
