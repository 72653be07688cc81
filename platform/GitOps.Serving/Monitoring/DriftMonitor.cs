using System.Collections.Immutable;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol;
using GitOps.Specs.Contracts;
using Prometheus;

namespace GitOps.Serving.Monitoring;

/// <summary>
/// Compares live inputs and scores with the version's training profile (<c>profile.json</c>). Each request's rows
/// go into a sliding window of the last <c>window</c> rows per feature, and missing/NaN values and values outside the
/// training range are counted as they arrive; PSI (and KS for continuous features) are computed from the window when
/// Prometheus scrapes, so the request path only copies numbers.
/// </summary>
public sealed class DriftMonitor
{
    /// <summary>Rows the window needs before drift is exported: fewer give noisy PSI.</summary>
    public const int MinRows = 100;

    private readonly TrainingProfile _profile;
    private readonly Column[] _columns;
    private readonly Window[] _windows;
    private readonly Window _scores;
    private readonly object _gate = new();
    private readonly Counter.Child[] _missing;
    private readonly Counter.Child[] _outOfRange;
    private readonly Gauge.Child[] _psi;
    private readonly Gauge.Child[] _ks;
    private readonly Gauge.Child _scorePsi;
    private readonly Gauge.Child _rows;

    private sealed record Column(int Input, int Index, FeatureProfile Profile);

    private DriftMonitor(TrainingProfile profile, Column[] columns, CollectorRegistry registry, string[] labels, int window)
    {
        _profile = profile;
        _columns = columns;
        _windows = [.. columns.Select(_ => new Window(window))];
        _scores = new Window(window);
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        string[] names = ["model", "version", "track"];
        string[] featureNames = [.. names, "feature"];
        var missing = factory.CreateCounter(MonitoringMetrics.MissingValues, "Input values missing or NaN, by feature.", new CounterConfiguration { LabelNames = featureNames });
        var outOfRange = factory.CreateCounter(MonitoringMetrics.OutOfRange, "Input values outside the range seen in training, by feature.", new CounterConfiguration { LabelNames = featureNames });
        var psi = factory.CreateGauge(MonitoringMetrics.FeatureDriftPsi, "Population stability index of a feature's last values against the training profile.", new GaugeConfiguration { LabelNames = featureNames });
        var ks = factory.CreateGauge(MonitoringMetrics.FeatureDriftKs, "Kolmogorov-Smirnov statistic of a continuous feature's last values against the training profile.", new GaugeConfiguration { LabelNames = featureNames });
        // Created at zero, so that a first missing value is an increase Prometheus can see.
        _missing = [.. columns.Select(c => missing.WithLabels([.. labels, c.Profile.Name]))];
        _outOfRange = [.. columns.Select(c => outOfRange.WithLabels([.. labels, c.Profile.Name]))];
        _psi = [.. columns.Select(c => psi.WithLabels([.. labels, c.Profile.Name]))];
        _ks = [.. columns.Select(c => ks.WithLabels([.. labels, c.Profile.Name]))];
        _scorePsi = factory.CreateGauge(MonitoringMetrics.ScoreDriftPsi, "Population stability index of the last scores against the scores on the training data.",
            new GaugeConfiguration { LabelNames = names }).WithLabels(labels);
        _rows = factory.CreateGauge(MonitoringMetrics.WindowRows, "Rows in the drift window (drift is exported from 100 rows on).",
            new GaugeConfiguration { LabelNames = names }).WithLabels(labels);
        registry.AddBeforeCollectCallback(Update);
    }

    /// <summary>
    /// A monitor for <paramref name="model"/>'s inputs, registered in <paramref name="registry"/>; a profile that names an
    /// input the model lacks, or a non-numeric one, is a <see cref="ModelLoadException"/> saying which.
    /// </summary>
    public static DriftMonitor Create(TrainingProfile profile, ImmutableArray<TensorSignature> inputs, CollectorRegistry registry, string[] labels, int window)
    {
        var columns = new List<Column>();
        foreach (var feature in profile.Features)
        {
            var inputName = feature.Input ?? feature.Name;
            var input = inputs.Select(i => i.Name).ToList().IndexOf(inputName);
            if (input < 0)
            {
                throw new ModelLoadException($"the training profile names feature '{feature.Name}' of input '{inputName}', which the model does not have; inputs: {string.Join(", ", inputs.Select(i => i.Name))}");
            }
            var signature = inputs[input];
            if (signature.Datatype == TensorDatatype.Bool)
            {
                throw new ModelLoadException($"the training profile names feature '{feature.Name}', but input '{inputName}' is {signature.Datatype.Name}: only numeric inputs are profiled");
            }
            columns.Add(new Column(input, feature.Index, feature));
        }
        return new DriftMonitor(profile, [.. columns], registry, labels, Math.Max(MinRows, window));
    }

    /// <summary>Adds one request's rows (and their scores, when the model has a score output).</summary>
    public void Observe(ImmutableArray<Tensor> inputs, int rows, Tensor? scores)
    {
        lock (_gate)
        {
            for (var c = 0; c < _columns.Length; c++)
            {
                var column = _columns[c];
                var tensor = inputs[column.Input];
                var perRow = tensor.ElementsPerRow;
                if (column.Index >= perRow)
                {
                    continue;
                }
                var profile = column.Profile;
                for (var r = 0; r < rows; r++)
                {
                    var value = Value(tensor.Data, r * perRow + column.Index);
                    if (double.IsNaN(value))
                    {
                        _missing[c].Inc();
                    }
                    else if (value < profile.Min || value > profile.Max)
                    {
                        _outOfRange[c].Inc();
                    }
                    _windows[c].Add(value);
                }
            }
            if (scores is not null && _profile.Score is not null)
            {
                var perRow = scores.ElementsPerRow;
                for (var r = 0; r < rows && perRow > 0; r++)
                {
                    _scores.Add(Value(scores.Data, r * perRow + perRow - 1));
                }
            }
        }
    }

    /// <summary>Recomputes the drift gauges from the windows (called before each scrape).</summary>
    public void Update()
    {
        lock (_gate)
        {
            _rows.Set(_windows.Length == 0 ? 0 : _windows[0].Count);
            for (var c = 0; c < _columns.Length; c++)
            {
                var values = _windows[c].Values;
                if (values.Length < MinRows)
                {
                    continue;
                }
                _psi[c].Set(DriftStatistics.Psi(_columns[c].Profile, values));
                if (_columns[c].Profile.Kind == FeatureProfile.Continuous)
                {
                    _ks[c].Set(DriftStatistics.Ks(_columns[c].Profile, values));
                }
            }
            if (_profile.Score is { } score && _scores.Count >= MinRows)
            {
                _scorePsi.Set(DriftStatistics.Psi(score, _scores.Values));
            }
        }
    }

    private static double Value(Array data, int index) => data switch
    {
        float[] f => f[index],
        double[] d => d[index],
        long[] l => l[index],
        int[] i => i[index],
        sbyte[] b => b[index],
        byte[] b => b[index],
        _ => double.NaN,
    };

    /// <summary>The last <c>capacity</c> values, oldest overwritten first.</summary>
    private sealed class Window(int capacity)
    {
        private readonly double[] _values = new double[capacity];
        private int _next;

        public int Count { get; private set; }

        public ReadOnlySpan<double> Values => _values.AsSpan(0, Count);

        public void Add(double value)
        {
            _values[_next] = value;
            _next = (_next + 1) % _values.Length;
            Count = Math.Min(Count + 1, _values.Length);
        }
    }
}
