using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Rooms;
using Chat.Server.Hubs;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.Messaging;

/// <summary>What a batch's transaction read before planning: the stored messages its changes name, and more.</summary>
public sealed class BatchState
{
    private readonly Dictionary<string, MessageRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Room, long Sequence), MessageRecord> _bySequence = [];

    /// <summary>Earlier sends of this batch's (sender, clientMessageId) pairs.</summary>
    public Dictionary<(string, string), MessageRecord> Retries { get; } = [];

    /// <summary>The (room, message sequence, reaction, user) reactions of this batch that are stored already.</summary>
    public HashSet<(string Room, long Sequence, string Reaction, string UserId)> StoredReactions { get; } = [];

    /// <summary>
    /// Whether the rooms' rules were read (settings, members, bans, users): always for a batch with anything but new
    /// messages, and for posts only when a room they go to has slow mode or mutes.
    /// </summary>
    public bool RulesLoaded { get; set; }

    /// <summary>The rooms of the batch as stored, when <see cref="RulesLoaded"/>.</summary>
    public Dictionary<string, RoomState> RoomStates { get; } = new(StringComparer.Ordinal);

    /// <summary>The users the batch names (null: never seen), when <see cref="RulesLoaded"/>.</summary>
    public Dictionary<string, UserRecord?> Users { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The bans of the people the batch's posts name (mentioned, or replied to), by room: in a public room, where the
    /// rules are not read for a post, these decide whom the post may notify.
    /// </summary>
    public Dictionary<(string Room, string UserId), BanRecord?> NamedBans { get; } = [];

    /// <summary>The uploads the batch's posts claim, as stored (null: no such upload), each held until the commit.</summary>
    public Dictionary<string, AttachmentRecord?> Attachments { get; } = new(StringComparer.Ordinal);

    public IEnumerable<MessageRecord> Messages => _bySequence.Values;

    /// <summary>One record per stored message, so that every change of a batch sees the changes before it.</summary>
    public MessageRecord Add(MessageRecord message)
    {
        if (_bySequence.TryGetValue((message.Room, message.Sequence), out var known))
        {
            return known;
        }

        _bySequence[(message.Room, message.Sequence)] = message;
        _byId[message.Id] = message;
        return message;
    }

    public MessageRecord? Find(string id) => _byId.GetValueOrDefault(id);

    public MessageRecord? Find(string room, long? sequence) =>
        sequence is { } value ? _bySequence.GetValueOrDefault((room, value)) : null;
}

/// <summary>A room as a batch read it and changes it: later changes of the batch see the earlier ones.</summary>
public sealed class RoomState(RoomRecord? record)
{
    /// <summary>The room, or null when it does not exist (yet).</summary>
    public RoomRecord? Record { get; set; } = record;

    /// <summary>Members read so far by user id (null: not a member).</summary>
    public Dictionary<string, MemberRecord?> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Bans read so far by user id (null: none).</summary>
    public Dictionary<string, BanRecord?> Bans { get; } = new(StringComparer.Ordinal);

    /// <summary>As stored when the batch read the room (a new room counts from zero), then as the batch changes it.</summary>
    public int MemberCount { get; set; } = record?.MemberCount ?? 0;

    public int OwnerCount { get; set; } = record?.OwnerCount ?? 0;

    public MemberRecord? MemberOf(string userId) => Members.GetValueOrDefault(userId);
}

/// <summary>
/// The pure heart of the change pipeline: given a batch of changes and what is stored, decides what each change does
/// (the rules of the contract), how many numbers each room needs, and — once they are allocated — every row to write.
/// A change that changes nothing takes no number.
/// </summary>
public sealed class BatchPlanner(TimeProvider time, IOptions<MessagesOptions> options, IOptions<AdminOptions> admins)
{
    public BatchPlan Plan(IReadOnlyList<ChangeRequest> batch, BatchState state) =>
        new(batch, state, TruncateToMilliseconds(time.GetUtcNow().UtcDateTime), options.Value.EditWindow, admins.Value);

    private static DateTime TruncateToMilliseconds(DateTime time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
}

/// <summary>One batch's decisions, then (after <see cref="Number"/>) its rows.</summary>
public sealed partial class BatchPlan
{
    private readonly IReadOnlyList<ChangeRequest> _batch;
    private readonly BatchState _state;
    private readonly DateTime _now;
    private readonly Outcome[] _outcomes;
    private readonly List<Change> _changes = [];
    private readonly Dictionary<MessageRecord, Dictionary<string, int>> _tallies = [];
    private readonly AdminOptions _admins;
    private readonly HashSet<string> _roomsNamingPeople = new(StringComparer.Ordinal);
    private readonly MessageIds _ids;

    internal BatchPlan(IReadOnlyList<ChangeRequest> batch, BatchState state, DateTime now, TimeSpan? editWindow, AdminOptions admins)
    {
        _batch = batch;
        _state = state;
        _now = now;
        _admins = admins;
        _outcomes = new Outcome[batch.Count];
        _ids = new MessageIds(batch.Count);
        var claimed = new Dictionary<(string, string), int>();
        for (var i = 0; i < batch.Count; i++)
        {
            _outcomes[i] = batch[i] switch
            {
                PostRequest post => PlanPost(post, i, claimed),
                EditRequest edit => PlanEdit(edit, editWindow),
                DeleteRequest delete => PlanDelete(delete),
                ReactionRequest reaction => PlanReaction(reaction),
                JoinRequest join => PlanJoin(join),
                UserSeenRequest seen => PlanUserSeen(seen),
                NewRoomRequest newRoom => PlanNewRoom(newRoom),
                DirectRoomRequest direct => PlanDirectRoom(direct),
                RoomSettingsRequest settings => PlanSettings(settings),
                MemberRequest member => PlanMember(member),
                _ => throw new NotSupportedException(batch[i].GetType().Name),
            };
        }
    }

    /// <summary>How many message sequences and event sequences each room needs.</summary>
    public Dictionary<string, RoomBlock> Rooms { get; } = new(StringComparer.Ordinal);

    public List<MessageRecord> NewMessages { get; } = [];

    /// <summary>Stored messages a change altered, each once.</summary>
    public List<MessageRecord> Updated { get; } = [];

    public List<RoomEventRecord> Events { get; } = [];

    public List<ReactionRecord> ReactionsAdded { get; } = [];

    public List<(string Room, long Sequence, string Reaction, string UserId)> ReactionsRemoved { get; } = [];

    /// <summary>Deleted messages: every reaction row of theirs goes.</summary>
    public List<MessageRecord> Deleted { get; } = [];

    /// <summary>Messages whose reactions changed: their summary is rebuilt from the reaction rows.</summary>
    public List<MessageRecord> ReactionsChanged { get; } = [];

    /// <summary>Rooms to insert before their numbers are allocated.</summary>
    public List<RoomRecord> RoomsCreated { get; } = [];

    /// <summary>Existing rooms whose settings changed, each once.</summary>
    public List<RoomRecord> RoomsUpdated { get; } = [];

    /// <summary>Members to insert or update, each once.</summary>
    public List<MemberRecord> MembersWritten { get; } = [];

    public List<(string Room, string UserId)> MembersRemoved { get; } = [];

    public List<BanRecord> BansWritten { get; } = [];

    public List<(string Room, string UserId)> BansRemoved { get; } = [];

    public List<UserRecord> UsersSeen { get; } = [];

    /// <summary>
    /// Whether the batch must be planned again with the rooms' rules read: it posts into a room whose allocation showed
    /// slow mode or a mute, which the optimistic plan (posts only, nothing read) could not check; or into a room whose
    /// members decide whom a post notifies (a direct room; mentions or a reply in a private room).
    /// </summary>
    public bool NeedsRules() =>
        !_state.RulesLoaded
        && Rooms.Any(room => room.Value.Messages > 0
            && (room.Value.SlowModeSeconds > 0 || room.Value.MutedUntilTicks > _now.Ticks
                || room.Value.Kind == RoomKinds.Direct
                || (room.Value.Kind is not (null or RoomKinds.Public) && _roomsNamingPeople.Contains(room.Key))));

    /// <summary>Assigns the allocated numbers in batch order and lays out every row to write.</summary>
    public void Number()
    {
        var nextSequence = Rooms.ToDictionary(r => r.Key, r => r.Value.LastSequence - r.Value.Messages, StringComparer.Ordinal);
        var nextEvent = Rooms.ToDictionary(r => r.Key, r => r.Value.LastEventSequence - r.Value.Events, StringComparer.Ordinal);
        var updated = new HashSet<MessageRecord>(ReferenceEqualityComparer.Instance);
        var rebuilt = new HashSet<MessageRecord>(ReferenceEqualityComparer.Instance);
        foreach (var change in _changes)
        {
            var eventSequence = change.EventSequence = ++nextEvent[change.Room];
            if (change.Message is not { } message)
            {
                if (change.Type == RoomEventTypes.RoomUpdated)
                {
                    change.RoomInfo = InfoOf(change.Room) with { LastSequence = nextSequence[change.Room], LastEventSequence = eventSequence };
                }

                Events.Add(NewEvent(change, eventSequence, messageSequence: null, MessageMapper.WritePayload(change.Member, change.RoomInfo)));
                continue;
            }

            message.EventSequence = eventSequence;
            if (change.Type == RoomEventTypes.MessagePosted)
            {
                message.Sequence = ++nextSequence[message.Room];
                message.PostedEventSequence = eventSequence;
                NewMessages.Add(message);
                MoveReadPointer(message);
                PlanNotifications(change, message);
                continue;
            }

            if (updated.Add(message))
            {
                Updated.Add(message);
            }

            Events.Add(NewEvent(change, eventSequence, message.Sequence, payload: null));
            switch (change.Type)
            {
                case RoomEventTypes.ReactionAdded:
                    ReactionsAdded.Add(new ReactionRecord
                    {
                        Room = message.Room,
                        MessageSequence = message.Sequence,
                        Reaction = change.Reaction!,
                        UserId = change.Request.Actor.Id,
                        AddedEventSequence = eventSequence,
                    });
                    break;
                case RoomEventTypes.ReactionRemoved:
                    ReactionsRemoved.Add((message.Room, message.Sequence, change.Reaction!, change.Request.Actor.Id));
                    break;
                case RoomEventTypes.MessageDeleted:
                    Deleted.Add(message);
                    break;
            }

            if (change.Type is RoomEventTypes.ReactionAdded or RoomEventTypes.ReactionRemoved && rebuilt.Add(message))
            {
                ReactionsChanged.Add(message);
            }
        }

        // A message deleted later in the batch keeps no reaction.
        ReactionsChanged.RemoveAll(m => m.DeletedAt is not null);

        foreach (var (room, block) in Rooms)
        {
            if (_state.RoomStates.GetValueOrDefault(room)?.Record is { } record)
            {
                record.LastSequence = block.LastSequence;
                record.LastEventSequence = block.LastEventSequence;
            }
        }
    }

    private RoomEventRecord NewEvent(Change change, long eventSequence, long? messageSequence, string? payload) => new()
    {
        Room = change.Room,
        EventSequence = eventSequence,
        Type = change.Type,
        At = _now,
        ActorId = change.Request.Actor.Id,
        ActorName = change.Request.Actor.Name,
        MessageSequence = messageSequence,
        Reaction = change.Reaction,
        Payload = payload,
    };

    /// <summary>What request <paramref name="index"/> answers once the batch is committed.</summary>
    /// <remarks>A repeat of a post in the same batch answers that post's message, but is not a change of its own.</remarks>
    public Outcome OutcomeOf(int index) => _outcomes[index] is { SameAs: { } first }
        ? _outcomes[first] is { Error: null } original ? Outcome.Unchanged(original.Message!) : _outcomes[first]
        : _outcomes[index];

    /// <summary>The room as it is after the batch (call after <see cref="Number"/>).</summary>
    public RoomInfo InfoOf(string room)
    {
        var state = _state.RoomStates[room];
        var record = state.Record!;
        RoomMember[]? members = record.Kind == RoomKinds.Direct
            ? [.. state.Members.Values.OfType<MemberRecord>().OrderBy(m => m.UserId, StringComparer.Ordinal).Select(m => m.ToMember())]
            : null;
        return new RoomInfo(record.Name, record.Kind, record.Title, record.Topic, state.MemberCount, record.SlowModeSeconds,
            record.LastSequence, record.LastEventSequence, record.CreatedAt, members);
    }

    public int Count => _batch.Count;

    private Outcome PlanPost(PostRequest post, int index, Dictionary<(string, string), int> claimed)
    {
        if (post.ClientMessageId is { } clientId)
        {
            var key = (post.Actor.Id, clientId);
            if (_state.Retries.TryGetValue(key, out var stored))
            {
                return Outcome.Unchanged(stored);
            }

            if (claimed.TryGetValue(key, out var first))
            {
                return new Outcome { SameAs = first };
            }

            claimed[key] = index;
        }

        long? replyTo = null;
        if (post.ReplyToId is { } replyToId)
        {
            var target = _state.Find(replyToId);
            if (target is null || target.Room != post.Room || target.DeletedAt is not null)
            {
                return Outcome.Rejected(ChatErrorCodes.NotFound, "the message you reply to is not in this room");
            }

            replyTo = target.Sequence;
            _roomsNamingPeople.Add(post.Room);
        }

        if (CheckAuthor(post.Room, post.Actor, posting: true) is { } refused)
        {
            return refused;
        }

        if (ClaimableAttachments(post) is not { } attachments)
        {
            return Outcome.Rejected(ChatErrorCodes.InvalidAttachment, "an attachment is not an upload of yours that no message holds yet");
        }

        var message = new MessageRecord
        {
            Id = _ids.Next(_now),
            Room = post.Room,
            SenderId = post.Actor.Id,
            SenderName = post.Actor.Name,
            Content = post.Content,
            SentAt = _now,
            ClientMessageId = post.ClientMessageId,
            ReplyToSequence = replyTo,
            Mentions = MessageMapper.WriteMentions(ReadersAmong(post.Room, post.Mentions)),
        };
        Claim(attachments, message);
        return Apply(post, message, RoomEventTypes.MessagePosted, reaction: null, newMessage: true);
    }

    private Outcome PlanEdit(EditRequest edit, TimeSpan? editWindow)
    {
        var message = _state.Find(edit.MessageId);
        if (message is null || message.Room != edit.Room || message.DeletedAt is not null)
        {
            return NotFound();
        }

        if (message.SenderId != edit.Actor.Id)
        {
            return Outcome.Rejected(ChatErrorCodes.Forbidden, "only the sender may edit a message");
        }

        if (CheckAuthor(edit.Room, edit.Actor, posting: false) is { } refused)
        {
            return refused;
        }

        if (editWindow is { } window && _now - message.SentAt > window)
        {
            return Outcome.Rejected(ChatErrorCodes.EditWindowExpired, $"messages can be edited for {window} after sending");
        }

        if (message.Content == edit.Content)
        {
            return Outcome.Unchanged(message);
        }

        message.Content = edit.Content;
        message.EditedAt = _now;
        return Apply(edit, message, RoomEventTypes.MessageEdited, reaction: null);
    }

    private Outcome PlanDelete(DeleteRequest delete)
    {
        var message = _state.Find(delete.MessageId);
        if (message is null || message.Room != delete.Room)
        {
            return NotFound();
        }

        if (message.SenderId != delete.Actor.Id && RoomRules.Check(FactsOf(delete.Room, delete.Actor.Id), RoomAction.Moderate, _now) is not null)
        {
            return Outcome.Rejected(ChatErrorCodes.Forbidden, "only the sender or the room's moderators may delete a message");
        }

        if (message.DeletedAt is not null)
        {
            return Outcome.Unchanged(message);
        }

        ForgetAttachments(message);
        message.Content = string.Empty;
        message.Mentions = null;
        message.Reactions = null;
        message.ReplyToSequence = null;
        message.EditedAt = null;
        message.DeletedAt = _now;
        return Apply(delete, message, RoomEventTypes.MessageDeleted, reaction: null);
    }

    private Outcome PlanReaction(ReactionRequest request)
    {
        var message = _state.Find(request.MessageId);
        if (message is null || message.Room != request.Room || message.DeletedAt is not null)
        {
            return NotFound();
        }

        if (CheckAuthor(request.Room, request.Actor, posting: false) is { } refused)
        {
            return refused;
        }

        var key = (message.Room, message.Sequence, request.Reaction, request.Actor.Id);
        var tally = TallyOf(message);
        if (request.Add)
        {
            if (_state.StoredReactions.Contains(key))
            {
                return Outcome.Unchanged(message);
            }

            if (!tally.ContainsKey(request.Reaction) && tally.Count >= ChatLimits.MaxReactionsPerMessage)
            {
                return Outcome.Rejected(ChatErrorCodes.TooManyReactions, $"a message carries at most {ChatLimits.MaxReactionsPerMessage} different reactions");
            }

            _state.StoredReactions.Add(key);
            tally[request.Reaction] = tally.GetValueOrDefault(request.Reaction) + 1;
            return Apply(request, message, RoomEventTypes.ReactionAdded, request.Reaction);
        }

        if (!_state.StoredReactions.Remove(key))
        {
            return Outcome.Unchanged(message);
        }

        if (--tally[request.Reaction] == 0)
        {
            tally.Remove(request.Reaction);
        }

        return Apply(request, message, RoomEventTypes.ReactionRemoved, request.Reaction);
    }

    /// <summary>
    /// Mutes and slow mode, once the rooms' rules are read (see <see cref="NeedsRules"/>): a post, edit or reaction
    /// by a muted member is refused; a plain member's post within the slow mode's interval too.
    /// </summary>
    private Outcome? CheckAuthor(string room, ChatUser author, bool posting)
    {
        if (!_state.RulesLoaded)
        {
            return null;
        }

        var facts = FactsOf(room, author.Id);
        if (RoomRules.Check(facts, RoomAction.Change, _now) is { } refused)
        {
            return new Outcome { Error = refused };
        }

        var record = _state.RoomStates[room].Record;
        if (!posting || record is not { SlowModeSeconds: > 0 } || facts.IsAdmin || RoomRules.IsExemptFromSlowMode(facts.Role)
            || facts.Member is not { } member)
        {
            return null;
        }

        var next = member.LastPostedAt?.AddSeconds(record.SlowModeSeconds);
        if (next > _now)
        {
            var wait = (int)Math.Ceiling((next.Value - _now).TotalSeconds);
            return Outcome.Rejected(ChatErrorCodes.SlowMode, $"this room is in slow mode: wait {wait} s before posting again");
        }

        member.LastPostedAt = _now;
        WriteMember(member);
        return null;
    }

    /// <summary>Mentions keep only those who may read the room: in a private or direct room, its members.</summary>
    private string[] ReadersAmong(string room, string[] mentions)
    {
        if (mentions.Length == 0)
        {
            return mentions;
        }

        _roomsNamingPeople.Add(room);
        if (!_state.RulesLoaded || _state.RoomStates[room] is not { Record.Kind: RoomKinds.Private or RoomKinds.Direct } state)
        {
            return mentions;
        }

        return [.. mentions.Where(userId => state.MemberOf(userId) is not null || _admins.IsAdmin(userId))];
    }

    private Dictionary<string, int> TallyOf(MessageRecord message)
    {
        if (!_tallies.TryGetValue(message, out var tally))
        {
            tally = MessageMapper.ReadReactions(message.Reactions).ToDictionary(r => r.Value, r => r.Count, StringComparer.Ordinal);
            _tallies[message] = tally;
        }

        return tally;
    }

    private Outcome Apply(ChangeRequest request, MessageRecord message, string type, string? reaction, bool newMessage = false)
    {
        var change = Record(new Change(request, message.Room, type, _now) { Message = message, Reaction = reaction }, newMessage);
        return new Outcome { Message = message, Changes = [change] };
    }

    /// <summary>Takes the change's numbers in its room: one event, and one message sequence for a new message.</summary>
    private Change Record(Change change, bool newMessage = false)
    {
        if (!Rooms.TryGetValue(change.Room, out var block))
        {
            Rooms[change.Room] = block = new RoomBlock();
        }

        block.Events++;
        if (newMessage)
        {
            block.Messages++;
        }

        _changes.Add(change);
        return change;
    }

    private static Outcome NotFound() => Outcome.Rejected(ChatErrorCodes.NotFound, "no such message in this room");

    /// <summary>A change that takes a number: its event sequence is set by <see cref="Number"/>.</summary>
    public sealed class Change(ChangeRequest request, string room, string type, DateTime at)
    {
        public DateTime At { get; } = at;

        public ChangeRequest Request { get; } = request;

        public string Room { get; } = room;

        public string Type { get; } = type;

        /// <summary>The message a message change is about.</summary>
        public MessageRecord? Message { get; init; }

        public string? Reaction { get; init; }

        /// <summary>The member a <c>member.*</c> change is about, as it is after the change.</summary>
        public RoomMember? Member { get; init; }

        /// <summary>The room after a <c>room.updated</c> (set by <see cref="Number"/>).</summary>
        public RoomInfo? RoomInfo { get; set; }

        public long EventSequence { get; set; }

        /// <summary>Whom the change notifies (set by <see cref="Number"/> for posts).</summary>
        public List<NotificationRecord> Notifications { get; } = [];
    }

    /// <summary>Exactly one of: rejected (<see cref="Error"/>), or an answer with the changes it made (none: unchanged).</summary>
    public sealed class Outcome
    {
        public ChatException? Error { get; init; }

        public MessageRecord? Message { get; init; }

        /// <summary>The member the request is about, as it is now (membership requests).</summary>
        public RoomMember? Member { get; init; }

        /// <summary>The room whose <see cref="RoomInfo"/> the request answers.</summary>
        public string? Room { get; init; }

        public IReadOnlyList<Change> Changes { get; init; } = [];

        /// <summary>A repeat, in this batch, of an earlier post with the same clientMessageId: answered as that one.</summary>
        public int? SameAs { get; init; }

        public static Outcome Rejected(string code, string message) => new() { Error = new ChatException(code, message) };

        public static Outcome Unchanged(MessageRecord message) => new() { Message = message };

        public static Outcome Done() => new();
    }
}
