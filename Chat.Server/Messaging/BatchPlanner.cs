using Chat.Server.History;
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

/// <summary>
/// The pure heart of the change pipeline: given a batch of changes and what is stored, decides what each change does
/// (the rules of the contract), how many numbers each room needs, and — once they are allocated — every row to write.
/// A change that changes nothing takes no number.
/// </summary>
public sealed class BatchPlanner(TimeProvider time, IOptions<MessagesOptions> options)
{
    public BatchPlan Plan(IReadOnlyList<ChangeRequest> batch, BatchState state) =>
        new(batch, state, TruncateToMilliseconds(time.GetUtcNow().UtcDateTime), options.Value.EditWindow);

    private static DateTime TruncateToMilliseconds(DateTime time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
}

/// <summary>One batch's decisions, then (after <see cref="Number"/>) its rows.</summary>
public sealed class BatchPlan
{
    private readonly IReadOnlyList<ChangeRequest> _batch;
    private readonly BatchState _state;
    private readonly DateTime _now;
    private readonly Outcome[] _outcomes;
    private readonly List<Change> _changes = [];
    private readonly Dictionary<MessageRecord, Dictionary<string, int>> _tallies = [];

    internal BatchPlan(IReadOnlyList<ChangeRequest> batch, BatchState state, DateTime now, TimeSpan? editWindow)
    {
        _batch = batch;
        _state = state;
        _now = now;
        _outcomes = new Outcome[batch.Count];
        var claimed = new Dictionary<(string, string), int>();
        for (var i = 0; i < batch.Count; i++)
        {
            _outcomes[i] = batch[i] switch
            {
                PostRequest post => PlanPost(post, i, claimed),
                EditRequest edit => PlanEdit(edit, editWindow),
                DeleteRequest delete => PlanDelete(delete),
                ReactionRequest reaction => PlanReaction(reaction),
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

    /// <summary>Assigns the allocated numbers in batch order and lays out every row to write.</summary>
    public void Number()
    {
        var nextSequence = Rooms.ToDictionary(r => r.Key, r => r.Value.LastSequence - r.Value.Messages, StringComparer.Ordinal);
        var nextEvent = Rooms.ToDictionary(r => r.Key, r => r.Value.LastEventSequence - r.Value.Events, StringComparer.Ordinal);
        var updated = new HashSet<MessageRecord>(ReferenceEqualityComparer.Instance);
        var rebuilt = new HashSet<MessageRecord>(ReferenceEqualityComparer.Instance);
        foreach (var change in _changes)
        {
            var eventSequence = change.EventSequence = ++nextEvent[change.Message.Room];
            var message = change.Message;
            message.EventSequence = eventSequence;
            if (change.Type == RoomEventTypes.MessagePosted)
            {
                message.Sequence = ++nextSequence[message.Room];
                message.PostedEventSequence = eventSequence;
                NewMessages.Add(message);
                continue;
            }

            if (updated.Add(message))
            {
                Updated.Add(message);
            }

            Events.Add(new RoomEventRecord
            {
                Room = message.Room,
                EventSequence = eventSequence,
                Type = change.Type,
                At = _now,
                ActorId = change.Request.Actor.Id,
                ActorName = change.Request.Actor.Name,
                MessageSequence = message.Sequence,
                Reaction = change.Reaction,
            });
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
    }

    /// <summary>What request <paramref name="index"/> answers once the batch is committed.</summary>
    /// <remarks>A repeat of a post in the same batch answers that post's message, but is not a change of its own.</remarks>
    public Outcome OutcomeOf(int index) => _outcomes[index] is { SameAs: { } first }
        ? _outcomes[first] is { Error: null } original ? Outcome.Unchanged(original.Message!) : _outcomes[first]
        : _outcomes[index];

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
        }

        var message = new MessageRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            Room = post.Room,
            SenderId = post.Actor.Id,
            SenderName = post.Actor.Name,
            Content = post.Content,
            SentAt = _now,
            ClientMessageId = post.ClientMessageId,
            ReplyToSequence = replyTo,
            Mentions = MessageMapper.WriteMentions(post.Mentions),
        };
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

        if (message.SenderId != delete.Actor.Id)
        {
            return Outcome.Rejected(ChatErrorCodes.Forbidden, "only the sender may delete a message");
        }

        if (message.DeletedAt is not null)
        {
            return Outcome.Unchanged(message);
        }

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
        if (!Rooms.TryGetValue(message.Room, out var block))
        {
            Rooms[message.Room] = block = new RoomBlock();
        }

        block.Events++;
        if (newMessage)
        {
            block.Messages++;
        }

        var change = new Change(request, message, type, reaction, _now);
        _changes.Add(change);
        return new Outcome { Message = message, Change = change };
    }

    private static Outcome NotFound() => Outcome.Rejected(ChatErrorCodes.NotFound, "no such message in this room");

    /// <summary>A change that takes a number: its event sequence is set by <see cref="Number"/>.</summary>
    public sealed class Change(ChangeRequest request, MessageRecord message, string type, string? reaction, DateTime at)
    {
        public DateTime At { get; } = at;

        public ChangeRequest Request { get; } = request;

        public MessageRecord Message { get; } = message;

        public string Type { get; } = type;

        public string? Reaction { get; } = reaction;

        public long EventSequence { get; set; }
    }

    /// <summary>Exactly one of: rejected (<see cref="Error"/>), unchanged (<see cref="Message"/> only), or a change.</summary>
    public sealed class Outcome
    {
        public ChatException? Error { get; init; }

        public MessageRecord? Message { get; init; }

        public Change? Change { get; init; }

        /// <summary>A repeat, in this batch, of an earlier post with the same clientMessageId: answered as that one.</summary>
        public int? SameAs { get; init; }

        public static Outcome Rejected(string code, string message) => new() { Error = new ChatException(code, message) };

        public static Outcome Unchanged(MessageRecord message) => new() { Message = message };
    }
}
