using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GitOps.Testing.FakeKubernetes;

/// <summary>A certificate authority made for one test, issuing server and client certificates as a cluster's
/// own CA does (kubeadm, kind): servers named by IP address, clients by common name.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string name = "test-cluster-ca")
    {
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>The authority's certificate (with its key).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>A server certificate for 127.0.0.1 and localhost, or for <paramref name="dnsNames"/> only when given
    /// (an API server reached by an address its certificate does not name).</summary>
    public X509Certificate2 Server(params string[] dnsNames) => Issue("CN=kube-apiserver", "1.3.6.1.5.5.7.3.1", names =>
    {
        if (dnsNames.Length > 0)
        {
            foreach (var name in dnsNames)
            {
                names.AddDnsName(name);
            }
            return;
        }
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
    });

    /// <summary>A client certificate for user <paramref name="user"/>.</summary>
    public X509Certificate2 Client(string user) => Issue($"CN={user}", "1.3.6.1.5.5.7.3.2", null);

    private X509Certificate2 Issue(string subject, string usage, Action<SubjectAlternativeNameBuilder>? names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (names is not null)
        {
            var builder = new SubjectAlternativeNameBuilder();
            names(builder);
            request.CertificateExtensions.Add(builder.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Kestrel and SslStream want a key they can keep, not the ephemeral one created here.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The certificate as PEM, base64-encoded as kubeconfig's <c>*-data</c> keys hold it.</summary>
    public static string CertificateData(X509Certificate2 certificate) =>
        Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));

    /// <summary>The certificate's private key as PEM (PKCS#8), base64-encoded.</summary>
    public static string KeyData(X509Certificate2 certificate) =>
        Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));

    public void Dispose()
    {
        Authority.Dispose();
        _key.Dispose();
    }
}
