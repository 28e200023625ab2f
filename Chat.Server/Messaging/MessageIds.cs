using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Chat.Server.Messaging;

/// <summary>
/// A batch's new message ids: version 7 GUIDs (RFC 9562: the time in milliseconds, then random bits; time-ordered,
/// so the unique id index grows at its end), as <see cref="Guid.CreateVersion7()"/> makes them, except that the random
/// bits of the whole batch are drawn from the operating system at once: the runtime asks it once per GUID, a system
/// call per message on the writer's serial loop.
/// </summary>
internal sealed class MessageIds(int capacity)
{
    private const int RandomBytesPerId = 10;

    private byte[]? _random;
    private int _used;

    /// <summary>An id made at <paramref name="now"/>, as 32 hex digits.</summary>
    public string Next(DateTime now)
    {
        if (_random is null || _used == _random.Length)
        {
            _random = RandomNumberGenerator.GetBytes(Math.Max(capacity, 1) * RandomBytesPerId);
            _used = 0;
        }

        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = (ulong)(now - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
        BinaryPrimitives.WriteUInt64BigEndian(bytes, milliseconds << 16);
        _random.AsSpan(_used, RandomBytesPerId).CopyTo(bytes[6..]);
        _used += RandomBytesPerId;
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true).ToString("N");
    }
}
