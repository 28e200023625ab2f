import { RoomEventTypes, type MemberRoles, type RoomEvent, type RoomMember } from "@chat/client";
import { guestUserId, Limits } from "./limits";
import { button, byId, element, formatDateTime } from "./dom";
import { describeError, type ErrorWords } from "./errors";
import { outranks } from "./membership";
import type { ChatStore } from "./store";

const Roles: readonly MemberRoles[] = ["owner", "moderator", "member"];

const Minute = 60_000;
const Hour = 60 * Minute;
const Day = 24 * Hour;

/** How long a mute or a ban lasts; `null`: a ban for good. */
const MuteChoices: readonly { text: string; ms: number }[] = [
  { text: "10 minutes", ms: 10 * Minute },
  { text: "1 hour", ms: Hour },
  { text: "1 day", ms: Day },
  { text: "1 week", ms: 7 * Day },
];
const BanChoices: readonly { text: string; ms: number | null }[] = [
  { text: "1 hour", ms: Hour },
  { text: "1 day", ms: Day },
  { text: "1 week", ms: 7 * Day },
  { text: "for good", ms: null },
];
const SlowModeChoices: readonly number[] = [0, 10, 30, 60, 300, 900, 3600];

function slowModeText(seconds: number): string {
  if (seconds === 0) {
    return "Off";
  }
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

type Pending = { userId: string; action: "kick" | "mute" | "ban" };

/**
 * The room settings dialog, for owners and moderators: title, topic and slow mode (UpdateRoom); people added by
 * user name (AddMember); the lasting members with their roles (GetMembers, a page at a time: "Show more members"
 * reads the next; the pages read so far are read again on every member change, so the list is live), roles for
 * owners (SetMemberRole), and kick, mute and ban of those of a lower rank; bans seen on this page, and unban by name.
 * The server decides every right; the dialog only hides what it would refuse. Paging keeps opening the dialog of a
 * room of ten thousand one call, not fifty.
 */
export class SettingsView {
  private room: string | undefined;
  private members: RoomMember[] = [];
  /** The last page read came back short: every member is in the list. */
  private complete = false;
  /** Bans this page has heard of, per room: the server lists no bans, and a banned user is no member. */
  private readonly bans = new Map<string, Map<string, RoomMember>>();
  private pending: Pending | undefined;
  private loads = 0;
  /** The user is editing the form: a live change of the settings must not overwrite what they typed. */
  private formDirty = false;
  private readonly dialog = byId<HTMLDialogElement>("settings");
  private readonly heading = byId<HTMLHeadingElement>("settings-title");
  private readonly form = byId<HTMLFormElement>("settings-form");
  private readonly titleInput = byId<HTMLInputElement>("settings-room-title");
  private readonly topicInput = byId<HTMLInputElement>("settings-topic");
  private readonly slowModeSelect = byId<HTMLSelectElement>("settings-slow-mode");
  private readonly formError = byId<HTMLParagraphElement>("settings-error");
  private readonly status = byId<HTMLParagraphElement>("settings-status");
  private readonly addForm = byId<HTMLFormElement>("add-member-form");
  private readonly addInput = byId<HTMLInputElement>("add-member-name");
  private readonly addError = byId<HTMLParagraphElement>("add-member-error");
  private readonly memberList = byId<HTMLUListElement>("settings-members");
  private readonly memberCount = byId<HTMLSpanElement>("settings-member-count");
  private readonly membersError = byId<HTMLParagraphElement>("settings-members-error");
  private readonly moreMembers = byId<HTMLButtonElement>("settings-members-more");
  private readonly bannedList = byId<HTMLUListElement>("settings-banned");
  private readonly unbanForm = byId<HTMLFormElement>("unban-form");
  private readonly unbanInput = byId<HTMLInputElement>("unban-name");
  private readonly unbanError = byId<HTMLParagraphElement>("unban-error");

  constructor(
    private readonly store: ChatStore,
    private readonly ownUserId: string,
  ) {
    this.titleInput.maxLength = Limits.maxRoomTitle;
    this.topicInput.maxLength = Limits.maxRoomTopic;
    byId<HTMLButtonElement>("settings-close").addEventListener("click", () => this.close());
    this.dialog.addEventListener("close", () => {
      this.room = undefined;
    });
    this.form.addEventListener("input", () => {
      this.formDirty = true;
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    this.addForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.add();
    });
    this.unbanForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.unbanByName();
    });
    this.memberList.addEventListener("click", (event) => void this.memberClicked(event));
    this.moreMembers.addEventListener("click", () => void this.reload(this.members.length + Limits.membersPanelPage));
    this.memberList.addEventListener("change", (event) => void this.roleChosen(event));
    this.memberList.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.pending !== undefined) {
        // Escape takes back a half-made kick, mute or ban, not the whole dialog.
        event.preventDefault();
        event.stopPropagation();
        this.cancelPending();
      }
    });
    this.bannedList.addEventListener("click", (event) => {
      const userId = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-action=unban]")?.dataset["userId"];
      if (userId !== undefined) {
        void this.unban(userId, this.bans.get(this.room ?? "")?.get(userId)?.userName ?? userId);
      }
    });
  }

  get openFor(): string | undefined {
    return this.room;
  }

  open(room: string): void {
    this.room = room;
    this.pending = undefined;
    this.members = [];
    this.complete = false;
    this.formDirty = false;
    for (const error of [this.formError, this.status, this.addError, this.membersError, this.unbanError]) {
      error.textContent = "";
    }
    this.fillForm();
    this.renderMembers();
    this.renderBans();
    if (!this.dialog.open) {
      this.dialog.showModal();
    }
    this.titleInput.focus();
    void this.reload();
  }

  close(): void {
    if (this.dialog.open) {
      this.dialog.close();
    }
    this.room = undefined;
  }

  /** The room's settings or the user's role changed. */
  roomInfoChanged(name: string): void {
    if (name !== this.room) {
      return;
    }
    if (!this.store.moderates(name)) {
      this.close(); // no longer an owner or moderator
      return;
    }
    if (!this.formDirty) {
      this.fillForm();
    }
    this.renderMembers();
  }

  membershipChanged(event: RoomEvent): void {
    const member = event.member;
    if (member === undefined || member === null) {
      return;
    }
    const bans = this.bans.get(event.room) ?? new Map<string, RoomMember>();
    this.bans.set(event.room, bans);
    if (member.banned) {
      bans.set(member.userId, member);
    } else if (event.type === RoomEventTypes.MemberUpdated || event.type === RoomEventTypes.MemberAdded) {
      bans.delete(member.userId); // unbanned, or added again (which takes an unban first)
    }
    if (event.room === this.room) {
      this.renderBans();
      void this.reload();
    }
  }

  removedFromRoom(name: string): void {
    if (name === this.room) {
      this.close();
    }
  }

  // ---- the room's settings ----

  private fillForm(): void {
    const room = this.room;
    if (room === undefined) {
      return;
    }
    const info = this.store.infos.get(room);
    this.heading.textContent = `Settings of ${this.store.displayName(room)}`;
    this.titleInput.value = info?.title ?? "";
    this.topicInput.value = info?.topic ?? "";
    const seconds = info?.slowModeSeconds ?? 0;
    // A value set elsewhere (another client, the API) is shown as it is, not rounded to a choice.
    const choices = SlowModeChoices.includes(seconds) ? SlowModeChoices : [...SlowModeChoices, seconds].sort((a, b) => a - b);
    this.slowModeSelect.replaceChildren(
      ...choices.map((choice) => {
        const option = element("option", undefined, slowModeText(choice));
        option.value = String(choice);
        return option;
      }),
    );
    this.slowModeSelect.value = String(seconds);
    this.formDirty = false;
  }

  private async save(): Promise<void> {
    const room = this.room;
    if (room === undefined) {
      return;
    }
    this.formError.textContent = "";
    this.status.textContent = "";
    try {
      await this.store.updateRoom(room, {
        title: this.titleInput.value.trim(),
        topic: this.topicInput.value.trim(),
        slowModeSeconds: Number(this.slowModeSelect.value),
      });
    } catch (error) {
      this.formError.textContent = describeError(error, {
        forbidden: "Only owners and moderators can change this room.",
        invalid_request: `Check the settings: a title of at most ${Limits.maxRoomTitle} characters, a topic of at most ${Limits.maxRoomTopic}, slow mode of at most an hour.`,
      });
      return;
    }
    this.formDirty = false;
    this.fillForm();
    this.status.textContent = "Saved.";
  }

  // ---- people ----

  private async add(): Promise<void> {
    const room = this.room;
    const name = this.addInput.value.trim();
    if (room === undefined || name === "") {
      return;
    }
    this.addError.textContent = "";
    this.status.textContent = "";
    try {
      await this.store.addMember(room, guestUserId(name));
    } catch (error) {
      this.addError.textContent = describeError(error, {
        not_found: `Nobody called ${name} has signed in here yet.`,
        banned: `${name} is banned from this room: unban them first.`,
        forbidden: "Only owners and moderators can add people to this room.",
        invalid_request: `${name} cannot be added to this room.`,
      });
      return;
    }
    this.addInput.value = "";
    this.status.textContent = `${name} is a member now.`;
    void this.reload();
  }

  /**
   * Reads the members again, as many as were shown (at least a page) or `wanted`; an answer
   * overtaken by a newer load is dropped.
   */
  private async reload(wanted = Math.max(this.members.length, Limits.membersPanelPage)): Promise<void> {
    const room = this.room;
    if (room === undefined) {
      return;
    }
    const load = ++this.loads;
    const members: RoomMember[] = [];
    let complete = false;
    try {
      while (!complete && members.length < wanted) {
        const page = await this.store.memberPage(room, members.at(-1)?.userId ?? null);
        members.push(...page);
        complete = page.length < Limits.membersPanelPage;
      }
    } catch (error) {
      if (load === this.loads && room === this.room) {
        this.membersError.textContent = describeError(error);
      }
      return;
    }
    if (load !== this.loads || room !== this.room) {
      return;
    }
    this.members = members;
    this.complete = complete;
    if (this.pending !== undefined && !members.some((m) => m.userId === this.pending!.userId)) {
      this.pending = undefined;
    }
    this.renderMembers();
  }

  private renderMembers(): void {
    const room = this.room;
    const focused = this.focusedControl(this.memberList);
    this.memberCount.textContent = room === undefined ? "" : `(${this.members.length}${this.complete ? "" : "+"})`;
    this.moreMembers.hidden = room === undefined || this.complete;
    const viewer = room === undefined ? undefined : this.store.role(room);
    // A half-made mute or ban keeps its choices and reason when the list is redrawn under it.
    const kept = [...this.memberList.querySelectorAll<HTMLInputElement | HTMLSelectElement>(".settings-member-actions :is(input, select)")].map(
      (field) => ({ selector: `li[data-user-id="${CSS.escape(field.closest<HTMLElement>("li")!.dataset["userId"]!)}"] .${field.className}`, value: field.value }),
    );
    this.memberList.replaceChildren(...this.members.map((member) => this.renderMember(member, viewer)));
    for (const field of kept) {
      const again = this.memberList.querySelector<HTMLInputElement | HTMLSelectElement>(field.selector);
      if (again !== null) {
        again.value = field.value;
      }
    }
    this.restoreFocus(this.memberList, focused);
  }

  private renderMember(member: RoomMember, viewer: MemberRoles | undefined): HTMLLIElement {
    const own = member.userId === this.ownUserId;
    const item = element("li", "settings-member");
    item.dataset["userId"] = member.userId;
    const head = element("div", "settings-member-head");
    head.append(element("span", "member-name", own ? `${member.userName} (you)` : member.userName), " ");
    if (viewer === "owner") {
      const select = element("select", "role-select");
      select.dataset["action"] = "role";
      select.setAttribute("aria-label", `Role of ${member.userName}`);
      for (const role of Roles) {
        const option = element("option", undefined, role);
        option.value = role;
        select.append(option);
      }
      select.value = member.role;
      head.append(select);
    } else {
      head.append(element("span", `role ${member.role}`, member.role));
    }
    const muted = member.mutedUntil !== null && member.mutedUntil.getTime() > Date.now();
    if (muted) {
      head.append(" ", element("span", "muted-until", `muted until ${formatDateTime(member.mutedUntil!)}`));
    }
    item.append(head);
    if (own || !outranks(viewer, member.role)) {
      return item;
    }
    const pending = this.pending?.userId === member.userId ? this.pending.action : undefined;
    const actions = element("div", "settings-member-actions");
    const action = (name: string, text: string, label: string): HTMLButtonElement => {
      const created = button(`action ${name}`, text, label);
      created.dataset["action"] = name;
      return created;
    };
    switch (pending) {
      case undefined:
        actions.append(
          muted ? action("unmute", "Unmute", `Unmute ${member.userName}`) : action("mute", "Mute", `Mute ${member.userName}`),
          action("kick", "Remove", `Remove ${member.userName} from the room`),
          action("ban", "Ban", `Ban ${member.userName}`),
        );
        break;
      case "kick":
        actions.append(
          element("span", "confirm-text", `Remove ${member.userName} from the room?`),
          action("confirm-kick", "Remove", `Yes, remove ${member.userName}`),
          action("cancel", "Keep", `Keep ${member.userName}`),
        );
        break;
      case "mute":
        actions.append(
          this.durationSelect("mute-for", `Mute ${member.userName} for`, MuteChoices),
          action("confirm-mute", "Mute", `Mute ${member.userName} now`),
          action("cancel", "Cancel", "Cancel the mute"),
        );
        break;
      case "ban": {
        const reason = element("input", "ban-reason");
        reason.maxLength = Limits.maxBanReason;
        reason.placeholder = "Reason (optional)";
        reason.setAttribute("aria-label", `Reason for banning ${member.userName}`);
        actions.append(
          this.durationSelect("ban-for", `Ban ${member.userName} for`, BanChoices),
          reason,
          action("confirm-ban", "Ban", `Ban ${member.userName} now`),
          action("cancel", "Cancel", "Cancel the ban"),
        );
        break;
      }
    }
    item.append(actions);
    return item;
  }

  private durationSelect(className: string, label: string, choices: readonly { text: string; ms: number | null }[]): HTMLSelectElement {
    const select = element("select", className);
    select.setAttribute("aria-label", label);
    for (const choice of choices) {
      const option = element("option", undefined, choice.text);
      option.value = choice.ms === null ? "" : String(choice.ms);
      select.append(option);
    }
    return select;
  }

  private async memberClicked(event: MouseEvent): Promise<void> {
    const control = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
    const item = control?.closest<HTMLLIElement>("li.settings-member");
    const room = this.room;
    const member = this.members.find((m) => m.userId === item?.dataset["userId"]);
    if (control === null || control === undefined || item === null || item === undefined || room === undefined || member === undefined) {
      return;
    }
    const name = member.userName;
    const notMember = `${name} is not a member any more.`;
    switch (control.dataset["action"]) {
      case "kick":
      case "mute":
      case "ban":
        this.pending = { userId: member.userId, action: control.dataset["action"] };
        this.renderMembers();
        // The focus goes to the first control of the question: the choice, or the button that confirms.
        this.memberList.querySelector<HTMLElement>(`li[data-user-id="${CSS.escape(member.userId)}"] .settings-member-actions :is(select, button)`)?.focus();
        return;
      case "cancel":
        this.cancelPending();
        return;
      case "confirm-kick":
        await this.act(() => this.store.kick(room, member.userId), `${name} was removed.`, {
          forbidden: `You cannot remove ${name} from this room.`,
          not_found: notMember,
        });
        return;
      case "confirm-mute": {
        const ms = Number(item.querySelector<HTMLSelectElement>("select.mute-for")?.value ?? MuteChoices[0]!.ms);
        await this.act(() => this.store.mute(room, member.userId, new Date(Date.now() + ms)), `${name} is muted.`, {
          forbidden: `You cannot mute ${name} in this room.`,
          not_found: notMember,
        });
        return;
      }
      case "unmute":
        await this.act(() => this.store.mute(room, member.userId, null), `${name} may write again.`, {
          forbidden: `You cannot unmute ${name} in this room.`,
          not_found: notMember,
        });
        return;
      case "confirm-ban": {
        const value = item.querySelector<HTMLSelectElement>("select.ban-for")?.value ?? "";
        const until = value === "" ? null : new Date(Date.now() + Number(value));
        const reason = item.querySelector<HTMLInputElement>("input.ban-reason")?.value.trim() ?? "";
        await this.act(() => this.store.ban(room, member.userId, until, reason === "" ? null : reason), `${name} is banned.`, {
          forbidden: `You cannot ban ${name} from this room.`,
          invalid_request: `That ban cannot be made: the reason may have at most ${Limits.maxBanReason} characters.`,
        });
        return;
      }
    }
  }

  private async roleChosen(event: Event): Promise<void> {
    const select = (event.target as HTMLElement).closest<HTMLSelectElement>("select[data-action=role]");
    const userId = select?.closest<HTMLLIElement>("li.settings-member")?.dataset["userId"];
    const member = this.members.find((m) => m.userId === userId);
    const room = this.room;
    if (select === null || select === undefined || member === undefined || room === undefined) {
      return;
    }
    const role = select.value as MemberRoles;
    const done = await this.act(() => this.store.setRole(room, member.userId, role), `${member.userName} is ${role === "owner" ? "an" : "a"} ${role} now.`, {
      forbidden: "Only owners change roles, and a room keeps at least one owner: make someone else an owner first.",
      not_found: `${member.userName} is not a member any more.`,
      invalid_request: "That role does not exist.",
    });
    if (!done) {
      select.value = member.role; // the select shows what is true, not what was refused
    }
  }

  private cancelPending(): void {
    const userId = this.pending?.userId;
    this.pending = undefined;
    this.renderMembers();
    if (userId !== undefined) {
      this.memberList.querySelector<HTMLElement>(`li[data-user-id="${CSS.escape(userId)}"] button[data-action]`)?.focus();
    }
  }

  /** Runs one moderation call: the words of its failure under the list, or a line of what happened. */
  private async act(call: () => Promise<unknown>, done: string, words: ErrorWords): Promise<boolean> {
    this.membersError.textContent = "";
    this.status.textContent = "";
    try {
      await call();
    } catch (error) {
      this.membersError.textContent = describeError(error, words);
      return false;
    }
    this.pending = undefined;
    this.status.textContent = done;
    await this.reload();
    return true;
  }

  // ---- bans ----

  private renderBans(): void {
    const bans = [...(this.bans.get(this.room ?? "")?.values() ?? [])].sort((a, b) => a.userName.localeCompare(b.userName));
    const focused = this.focusedControl(this.bannedList);
    this.bannedList.replaceChildren(
      ...bans.map((ban) => {
        const item = element("li", "banned-member");
        item.dataset["userId"] = ban.userId;
        const until = ban.bannedUntil === null ? "for good" : `until ${formatDateTime(ban.bannedUntil)}`;
        const reason = ban.banReason !== null && ban.banReason !== "" ? `: ${ban.banReason}` : "";
        const unban = button("action unban", "Unban", `Unban ${ban.userName}`);
        unban.dataset["action"] = "unban";
        unban.dataset["userId"] = ban.userId;
        item.append(element("span", "member-name", ban.userName), " ", element("span", "ban-until", `banned ${until}${reason}`), " ", unban);
        return item;
      }),
    );
    this.restoreFocus(this.bannedList, focused);
  }

  private async unbanByName(): Promise<void> {
    const name = this.unbanInput.value.trim();
    if (name !== "" && (await this.unban(guestUserId(name), name))) {
      this.unbanInput.value = "";
    }
  }

  private async unban(userId: string, name: string): Promise<boolean> {
    const room = this.room;
    if (room === undefined) {
      return false;
    }
    this.unbanError.textContent = "";
    this.status.textContent = "";
    try {
      await this.store.unban(room, userId);
    } catch (error) {
      this.unbanError.textContent = describeError(error, {
        not_found: `Nobody called ${name} has signed in here yet.`,
        forbidden: "Only owners and moderators can lift a ban.",
      });
      return false;
    }
    this.bans.get(room)?.delete(userId);
    this.renderBans();
    this.status.textContent = `${name} may come back now.`;
    return true;
  }

  // ---- keeping the keyboard user's place across re-renders ----

  private focusedControl(list: HTMLElement): { userId: string; selector: string } | undefined {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !list.contains(active)) {
      return undefined;
    }
    const userId = active.closest<HTMLLIElement>("li[data-user-id]")?.dataset["userId"];
    const action = active.dataset["action"];
    const selector = action !== undefined ? `[data-action="${action}"]` : `.${[...active.classList].join(".")}`;
    return userId === undefined ? undefined : { userId, selector };
  }

  private restoreFocus(list: HTMLElement, focused: { userId: string; selector: string } | undefined): void {
    if (focused === undefined) {
      return;
    }
    const item = list.querySelector<HTMLElement>(`li[data-user-id="${CSS.escape(focused.userId)}"]`);
    // When the control is gone (a question answered), the row's first action takes the focus, not its role.
    (item?.querySelector<HTMLElement>(focused.selector) ?? item?.querySelector<HTMLElement>("button") ?? item?.querySelector<HTMLElement>("select"))?.focus();
  }
}
