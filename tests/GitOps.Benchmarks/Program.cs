using GitOps.Benchmarks.Validate;

var suite = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
return suite switch
{
    "validate" => ValidateBenchmark.Run(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/GitOps.Benchmarks -- <suite> [args]");
    Console.Error.WriteLine("suites: validate [sizes...]");
    return 2;
}
