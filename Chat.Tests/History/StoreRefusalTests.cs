using Chat.Server.History;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chat.Tests.History;

/// <summary>
/// Which store failures refuse the data (split the batch, fail only the refused change), which are a unique race
/// (plan the batch again) and which are a store down or busy (retry the whole batch): pure logic, no server.
/// </summary>
public sealed class StoreRefusalTests
{
    [Theory]
    [InlineData(19, 1811)] // SQLITE_CONSTRAINT_TRIGGER: RAISE(ABORT) in a trigger
    [InlineData(19, 275)] // SQLITE_CONSTRAINT_CHECK
    [InlineData(19, 787)] // SQLITE_CONSTRAINT_FOREIGNKEY
    [InlineData(19, 1299)] // SQLITE_CONSTRAINT_NOTNULL
    [InlineData(18, 18)] // SQLITE_TOOBIG
    [InlineData(20, 20)] // SQLITE_MISMATCH
    public void SqliteRefusingTheDataIsARefusal(int code, int extendedCode)
    {
        var exception = new SqliteException("refused", code, extendedCode);

        BatchCommands.IsRefusal(exception).Should().BeTrue();
        BatchCommands.IsUniqueViolation(exception).Should().BeFalse();
    }

    [Theory]
    [InlineData(19, 2067)] // SQLITE_CONSTRAINT_UNIQUE
    [InlineData(19, 1555)] // SQLITE_CONSTRAINT_PRIMARYKEY
    public void SqliteUniqueIsARaceToPlanAgain(int code, int extendedCode)
    {
        var exception = new SqliteException("not unique", code, extendedCode);

        BatchCommands.IsUniqueViolation(exception).Should().BeTrue();
        BatchCommands.IsRefusal(exception).Should().BeFalse();
    }

    [Theory]
    [InlineData(5, 5)] // SQLITE_BUSY
    [InlineData(5, 517)] // SQLITE_BUSY_SNAPSHOT
    [InlineData(6, 6)] // SQLITE_LOCKED
    [InlineData(10, 3338)] // SQLITE_IOERR_FSYNC
    [InlineData(13, 13)] // SQLITE_FULL
    [InlineData(14, 14)] // SQLITE_CANTOPEN
    public void SqliteDownOrBusyIsRetried(int code, int extendedCode)
    {
        var exception = new SqliteException("busy", code, extendedCode);

        BatchCommands.IsRefusal(exception).Should().BeFalse();
        BatchCommands.IsUniqueViolation(exception).Should().BeFalse();
    }

    [Theory]
    [InlineData("22023")] // invalid_parameter_value (a trigger's RAISE ... USING ERRCODE)
    [InlineData("22021")] // character_not_in_repertoire (NUL in text)
    [InlineData("22001")] // string_data_right_truncation
    [InlineData("23514")] // check_violation
    [InlineData("23503")] // foreign_key_violation
    [InlineData("23502")] // not_null_violation
    public void PostgresDataExceptionOrConstraintIsARefusal(string sqlState)
    {
        var exception = new PostgresException("refused", "ERROR", "ERROR", sqlState);

        BatchCommands.IsRefusal(exception).Should().BeTrue();
        BatchCommands.IsUniqueViolation(exception).Should().BeFalse();
    }

    [Fact]
    public void PostgresUniqueIsARaceToPlanAgain()
    {
        var exception = new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation);

        BatchCommands.IsUniqueViolation(exception).Should().BeTrue();
        BatchCommands.IsRefusal(exception).Should().BeFalse();
    }

    [Theory]
    [InlineData("40001")] // serialization_failure
    [InlineData("40P01")] // deadlock_detected
    [InlineData("55P03")] // lock_not_available
    [InlineData("57P01")] // admin_shutdown
    [InlineData("53300")] // too_many_connections
    [InlineData("08006")] // connection_failure
    public void PostgresDownOrBusyIsRetried(string sqlState) =>
        BatchCommands.IsRefusal(new PostgresException("busy", "FATAL", "FATAL", sqlState)).Should().BeFalse();

    [Fact]
    public void AnythingElseIsRetried()
    {
        BatchCommands.IsRefusal(new NpgsqlException("connection refused")).Should().BeFalse();
        BatchCommands.IsRefusal(new TimeoutException()).Should().BeFalse();
        BatchCommands.IsRefusal(new InvalidOperationException("connection closed")).Should().BeFalse();
    }
}
