using Chat.Bench;

return args switch
{
    ["baseline-server", .. var rest] => await BaselineServer.RunAsync(rest),
    ["run", .. var rest] => await BenchRunner.RunAsync(BenchOptions.Parse(rest)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        Chat.Bench run [--profile quick|full] [--scenarios idle,fanout,ingest,protocols,redis] [--fanout-shapes 100x10,10x100,1x1000] [--idle-connections N] [--out DIR]
            Starts the chat server and the bare-hub baseline as child processes, drives them, and writes
            results.json and results.md to DIR (default bench/results/<UTC time>).
        Chat.Bench baseline-server --urls http://127.0.0.1:PORT
            The baseline: a bare SignalR hub (no auth, no persistence) with the chat contract's method names.
        """);
    return 2;
}
