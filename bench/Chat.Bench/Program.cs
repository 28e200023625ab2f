using Chat.Bench;

return args switch
{
    ["baseline-server", .. var rest] => await BaselineServer.RunAsync(rest),
    ["run", .. var rest] => await BenchRunner.RunAsync(BenchOptions.Parse(rest)),
    ["heap", var pid, .. var rest] => HeapCensus.Run(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture), rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        Chat.Bench run [--profile quick|full] [--scenarios idle,fanout,ingest,protocols,redis,readmarks,search,members,joinstorm,coldstart,restartstorm] [--fanout-shapes 100x10,10x100,1x1000] [--idle-connections N] [--joinstorm-rooms 100,0] [--baseline-joins silent|announce] [--member-rooms 10,1000,10000] [--durability disk|process] [--out DIR] [--hold-idle]
                        [--coldstart-runs N] [--coldstart-servers baseline,chat] [--chat-server PATH/Chat.Server.dll] [--chat-env NAME=VALUE ...]
                        [--storm-clients N] [--storm-reads N,M]
            Starts the chat server and the bare-hub baseline as child processes, drives them, and writes
            results.json and results.md to DIR (default bench/results/<UTC time>). --hold-idle pauses the idle
            scenario before and after it opens its connections, until Enter, for a heap census of each server.
            --coldstart-runs: fresh starts of each server in the coldstart scenario (--coldstart-servers: which
            ones; both by default). --chat-server starts that
            Chat.Server.dll (e.g. a published one) instead of the build output; --chat-env sets an environment
            variable for our server only (e.g. DOTNET_TieredPGO=0), not for the baseline.
            restartstorm kills and restarts our server under --storm-clients Chat.Client clients (5,000 full,
            1,000 quick), once per value of its Database:MaxConcurrentReads in --storm-reads (default 10000,8).
            --baseline-joins announce: the bare hub also sends UserJoined to a room's others below the contract's
            large-room threshold, as ours must; silent (the default) sends nothing on a join.
        Chat.Bench heap PID [--per N] [--top N] [--save FILE] [--compare FILE]
            Live managed objects of a running .NET process by type (ClrMD; the process is suspended meanwhile),
            divided by N (connections). --save writes the census to FILE; --compare prints the change since one.
        Chat.Bench baseline-server --urls http://127.0.0.1:PORT
            The baseline: a bare SignalR hub (no auth, no persistence) with the chat contract's method names.
        """);
    return 2;
}
