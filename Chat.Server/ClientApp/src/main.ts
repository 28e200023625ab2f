import { bearerFetcher } from "./attachments";
import { CallView } from "./calls";
import { ComposerView } from "./composer";
import { ChatConnection, type ConnectionStatus } from "./connection";
import { ChatLimits, GuestSession, LoginRejected, type Notification as ChatNotification, type RoomKinds, type SearchHit } from "@chat/client";
import { byId, formatDateTime } from "./dom";
import { describeError } from "./errors";
import { MembersView } from "./members";
import { removalText, type Removal } from "./membership";
import { MessageListView } from "./messageList";
import { NewRoomView } from "./newRoom";
import { NotificationsView } from "./notifications";
import type { RoomState } from "./room";
import { RoomListView } from "./roomList";
import { SearchView } from "./search";
import { SeenByView } from "./seenBy";
import { SettingsView } from "./settings";
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
  private readonly settings: SettingsView;
  private readonly typing = new TypingView();
  private readonly seenBy: SeenByView;
  private readonly notifications: NotificationsView;
  private readonly search: SearchView;
  private readonly calls: CallView;
  private readonly status = byId<HTMLParagraphElement>("connection-state");
  private readonly roomInput = byId<HTMLInputElement>("room-name");
  private readonly joinError = byId<HTMLParagraphElement>("join-error");
  private readonly pageNotice = byId<HTMLParagraphElement>("page-notice");
  private readonly roomTitle = byId<HTMLHeadingElement>("room-title");
  private readonly roomKind = byId<HTMLSpanElement>("room-kind");
  private readonly roomTopic = byId<HTMLSpanElement>("room-topic");
  private readonly roomNotice = byId<HTMLParagraphElement>("room-notice");
  private readonly settingsButton = byId<HTMLButtonElement>("room-settings");
  private readonly leaveButton = byId<HTMLButtonElement>("leave-room");
  /** Whether the room in view was drawn with moderator actions: a change of role redraws its messages. */
  private drawnAsModerator = false;
  private muteTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(session: GuestSession) {
    this.connection = new ChatConnection(
      {
        accessTokenFactory: () => session.accessToken(),
        // After a loss the server may be one that no longer accepts the old token (restarted with another signing key).
        connectionLost: () => session.markStale(),
        roomsToRejoin: (rooms) => this.store.roomsToRejoin(rooms),
      },
      (status) => this.showStatus(status),
    );
    this.connection.client.connection.onConnected(async () => {
      void this.notifications.reload();
      await this.store.refreshRoomList();
    });
    const inView = (room: RoomState): boolean => room === this.store.inView;
    this.store = new ChatStore(this.connection.client, session.userId, {
      entriesAdded: (room, added, cause) => {
        this.messages.entriesAdded(room, added, cause);
        if (inView(room)) {
          this.seenBy.render(room);
        }
      },
      messageChanged: (room, entry) => this.messages.messageChanged(room, entry),
      roomReloaded: (room) => {
        this.messages.roomReloaded(room);
        if (inView(room)) {
          this.seenBy.render(room);
        }
      },
      membersChanged: (room) => inView(room) && this.members.render(room, this.isDirect(room)),
      typingChanged: (room) => inView(room) && this.typing.render(room),
      roomsChanged: () => {
        this.roomList.render();
        this.notifications.roomNamesChanged();
      },
      roomInfoChanged: (name) => this.roomInfoChanged(name),
      membershipChanged: (event) => {
        this.settings.membershipChanged(event);
        this.members.membershipChanged(event);
      },
      removedFromRoom: (name, room, removal) => this.removedFromRoom(name, room, removal),
      receiptsChanged: (room) => inView(room) && this.seenBy.render(room),
      messageDeleted: (message) => this.notifications.messageDeleted(message),
    });
    this.seenBy = new SeenByView(session.userId);
    this.notifications = new NotificationsView(this.connection.client, session.userId, (room) => this.store.displayName(room), {
      open: (notification) => void this.openNotification(notification),
      received: (notification) => {
        // The page hears new messages only of the rooms it joined: the counts of the others are read again.
        if (!this.store.rooms.has(notification.room)) {
          void this.store.refreshMyRooms();
        }
      },
    });
    this.calls = new CallView(this.connection.client.calls);
    this.search = new SearchView(this.connection.client.connection.once, session.userId, (room) => this.store.displayName(room), (hit) => void this.openSearchHit(hit));
    document.addEventListener("visibilitychange", () => this.store.visibilityChanged());
    this.roomList = new RoomListView(this.store, (room) => void this.openRoom(room));
    this.composer = new ComposerView(this.store, session.userId, () => this.connection.isConnected, () => session.accessToken());
    this.messages = new MessageListView(this.store, session.userId, this.composer, bearerFetcher(() => session.accessToken()));
    this.members = new MembersView(
      session.userId,
      (room, after) => this.store.memberPage(room, after),
      (userId) => void this.openDirect(userId),
    );
    this.settings = new SettingsView(this.store, session.userId);
    new NewRoomView(this.store, (room) => this.opened(room));

    byId<HTMLFormElement>("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.joinFromForm();
    });
    this.leaveButton.addEventListener("click", () => void this.leaveRoomInView());
    this.settingsButton.addEventListener("click", () => {
      if (this.store.inView !== undefined) {
        this.settings.open(this.store.inView.name);
      }
    });
    byId<HTMLDialogElement>("settings").addEventListener("close", () => {
      if (!this.settingsButton.hidden) {
        this.settingsButton.focus();
      }
    });
    setInterval(() => {
      if (this.connection.isConnected) {
        void this.store.refreshRoomList();
        void this.store.refreshMyRooms();
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

  private isDirect(room: RoomState): boolean {
    return this.store.infos.get(room.name)?.kind === "direct" || room.name.startsWith(ChatLimits.DirectRoomPrefix);
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
        this.joinError.textContent = describeError(error, {
          forbidden: name.toLowerCase().startsWith(ChatLimits.DirectRoomPrefix)
            ? `Names starting with “${ChatLimits.DirectRoomPrefix}” are kept for direct conversations.`
            : "That room is private: only its members can open it.",
          banned: "You are banned from that room.",
        });
        return false;
      }
    }
    this.joinError.textContent = "";
    this.opened(room);
    return true;
  }

  /** Opens the room of a notification, showing its message when the room still has it. */
  private async openNotification(notification: ChatNotification): Promise<void> {
    if ((await this.openRoom(notification.room)) && notification.messageId !== null && notification.sequence !== null) {
      await this.messages.showMessage(notification.messageId, notification.sequence);
    }
  }

  /** Opens the room of a search hit (joining it if needed) and shows the message, loading older history to reach it. */
  private async openSearchHit(hit: SearchHit): Promise<void> {
    const { message } = hit;
    if ((await this.openRoom(message.room)) && !(await this.messages.showMessage(message.id, message.sequence))) {
      this.composer.showError("That message is not in this room any more.");
    }
  }

  /** Opens (or starts) the direct conversation with a user. */
  private async openDirect(userId: string): Promise<void> {
    let room: RoomState;
    try {
      room = await this.store.openDirect(userId);
    } catch (error) {
      this.composer.showError(
        describeError(error, {
          not_found: "That person cannot be reached here any more.",
          invalid_request: "That is you: a direct conversation needs someone else.",
        }),
      );
      return;
    }
    this.opened(room);
  }

  private opened(room: RoomState): void {
    this.showRoom(room);
    this.composer.focusTarget.focus();
  }

  private async leaveRoomInView(): Promise<void> {
    const room = this.store.inView;
    if (room === undefined) {
      return;
    }
    try {
      await this.store.leave(room);
    } catch (error) {
      this.composer.showError(
        describeError(error, {
          forbidden:
            this.store.role(room.name) === "owner"
              ? "You are this room's only owner: make someone else an owner in its settings before you leave."
              : "You cannot leave this room.",
        }),
      );
      return;
    }
    this.showRoom(this.store.rooms.values().next().value);
    this.roomInput.focus();
  }

  private roomInfoChanged(name: string): void {
    this.settings.roomInfoChanged(name);
    const room = this.store.inView;
    if (room?.name !== name) {
      return;
    }
    this.renderHeader(room);
    if (this.store.moderates(name) !== this.drawnAsModerator) {
      this.drawnAsModerator = this.store.moderates(name);
      this.messages.redrawAll();
    }
  }

  private removedFromRoom(name: string, room: RoomState | undefined, removal: Removal): void {
    this.settings.removedFromRoom(name);
    if (room !== undefined && room === this.store.inView) {
      // The room stays in view, readable, with the notice why nothing can be written any more.
      this.showRoom(room);
    } else if (removal.kind !== "gone" || room !== undefined) {
      this.pageNotice.textContent = removalText(removal, this.store.displayName(name));
    }
  }

  private showRoom(room: RoomState | undefined): void {
    this.store.view(room);
    this.drawnAsModerator = room !== undefined && this.store.moderates(room.name);
    this.renderHeader(room);
    this.composer.setRoom(room, room === undefined ? "" : this.store.displayName(room.name));
    this.search.setRoom(room === undefined || room.removal !== undefined ? undefined : room.name);
    this.messages.show(room);
    this.members.render(room, room !== undefined && this.isDirect(room));
    this.typing.render(room);
    this.seenBy.render(room);
  }

  /** The room's name as people see it, its kind and topic, what the user may do there, and why not. */
  private renderHeader(room: RoomState | undefined): void {
    const info = room === undefined ? undefined : this.store.infos.get(room.name);
    const removed = room?.removal !== undefined;
    this.roomTitle.textContent = room === undefined ? "No room open" : this.store.displayName(room.name);
    this.roomKind.textContent = info === undefined ? "" : KindText[info.kind];
    this.roomKind.dataset["kind"] = info?.kind ?? "";
    this.roomTopic.textContent = info?.topic ?? "";
    this.leaveButton.hidden = room === undefined || removed || info?.kind === "direct";
    this.settingsButton.hidden = room === undefined || removed || !this.store.moderates(room.name);
    this.calls.setRoom(room === undefined || removed || !this.isDirect(room) ? undefined : { name: room.name, peerName: this.store.displayName(room.name) });

    clearTimeout(this.muteTimer);
    const mutedUntil = room === undefined || removed ? undefined : this.store.mutedNow(room.name);
    if (room?.removal !== undefined) {
      this.roomNotice.textContent = removalText(room.removal, "this room");
    } else if (mutedUntil !== undefined) {
      this.roomNotice.textContent = `You are muted in this room until ${formatDateTime(mutedUntil)}.`;
      // The notice goes when the mute ends (a timer longer than ~24 days would fire at once: none is that long here).
      this.muteTimer = setTimeout(() => this.renderHeader(this.store.inView), Math.min(mutedUntil.getTime() - Date.now() + 500, 2 ** 31 - 1));
    } else {
      this.roomNotice.textContent = "";
    }
    this.roomNotice.hidden = this.roomNotice.textContent === "";
  }
}

const KindText: Record<RoomKinds, string> = {
  public: "Public room",
  private: "Private room",
  direct: "Direct conversation",
};

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
        session = await GuestSession.signIn("", input.value.trim());
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
