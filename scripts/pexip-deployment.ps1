#Requires -Version 7.0
<#
.SYNOPSIS
Runs Pexip's own Teams Connector deployment for one region; called by the stack's Pulumi
command resources (components/pexipDeployment.ts), never by hand.

.DESCRIPTION
Kept small on purpose: every decision is made in TypeScript (lib/deploymentParameters.ts) and
arrives here as one JSON document. This script only does what needs Az PowerShell on the
deploying machine:

  deploy  create the dynamic resource group (removing what a failed attempt left in it), fetch
          and verify the package, prepare the PFX, run the package's deployment script with the
          document's parameters (splatted)
  remove  remove the dynamic resource group (never the static one)
  scale   set the scale set's capacity in place

It reads only the environment variables lib/contract.ts names (tested). Secrets come from the
environment, are never printed, and a temporary PFX is deleted when the script ends.
#>
param(
    [Parameter(Mandatory = $true)]
    [ValidateSet('deploy', 'remove', 'scale')]
    [string] $Action
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$document = $env:VDX_DEPLOYMENT | ConvertFrom-Json
Set-AzContext -Subscription $document.subscriptionId | Out-Null

function Get-Package {
    if ($document.package.PSObject.Properties.Name -contains 'url') {
        $zip = Join-Path ([IO.Path]::GetTempPath()) ("pexip-package-" + [Guid]::NewGuid() + '.zip')
        Invoke-WebRequest -Uri $document.package.url -OutFile $zip
    } else {
        $zip = (Resolve-Path -LiteralPath $document.package.path).Path
    }
    $hash = (Get-FileHash -Algorithm SHA256 -LiteralPath $zip).Hash
    if ($hash -ne $document.package.sha256.ToUpperInvariant()) {
        throw "The Teams Connector package's SHA-256 is $hash, not $($document.package.sha256) as connectorPackage.sha256 says: nothing was run from it."
    }
    $folder = Join-Path ([IO.Path]::GetTempPath()) ("pexip-package-" + [Guid]::NewGuid())
    Expand-Archive -LiteralPath $zip -DestinationPath $folder
    $script = Join-Path $folder $document.package.deploymentScript
    if (-not (Test-Path -LiteralPath $script)) {
        $found = @(Get-ChildItem -LiteralPath $folder -Recurse -File -Filter (Split-Path $document.package.deploymentScript -Leaf))
        if ($found.Count -ne 1) { throw "The package holds $($found.Count) files named $($document.package.deploymentScript)." }
        $script = $found[0].FullName
    }
    return $script
}

# A PFX file for the script, and its password. Key Vault's and the stack's PFX have an empty
# password: they are written to a temporary file under a random one.
function Get-Pfx {
    $source = $document.pfx.source
    if ($source -eq 'file') {
        return @{ Path = (Resolve-Path -LiteralPath $document.pfx.path).Path; Password = $env:VDX_PFX_PASSWORD; Temporary = $false }
    }
    $base64 = if ($source -eq 'keyVault') {
        Get-AzKeyVaultSecret -VaultName $document.pfx.vaultName -Name $document.pfx.secretName -Version $document.pfx.secretVersion -AsPlainText
    } else {
        $env:VDX_PFX
    }
    $certificates = [Security.Cryptography.X509Certificates.X509Certificate2Collection]::new()
    $certificates.Import([Convert]::FromBase64String($base64), $null, [Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable)
    $password = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(24))
    $path = Join-Path ([IO.Path]::GetTempPath()) ("teams-connector-" + [Guid]::NewGuid() + '.pfx')
    [IO.File]::WriteAllBytes($path, $certificates.Export([Security.Cryptography.X509Certificates.X509ContentType]::Pkcs12, $password))
    return @{ Path = $path; Password = $password; Temporary = $true }
}

function Remove-DynamicGroup {
    if (Get-AzResourceGroup -Name $document.resourceGroup -ErrorAction SilentlyContinue) {
        Remove-AzResourceGroup -Name $document.resourceGroup -Force | Out-Null
    }
}

function New-Credential([string] $UserName, [string] $Password) {
    return [pscredential]::new($UserName, (ConvertTo-SecureString -String $Password -AsPlainText -Force))
}

# The document's parameters, with the values only this machine holds filled in.
function Get-Parameters($pfx) {
    $parameters = @{}
    foreach ($property in $document.parameters.PSObject.Properties) {
        $value = $property.Value
        # A JSON object (not [pscustomobject], which means any PSObject and so may match a wrapped string).
        if ($value -is [System.Management.Automation.PSCustomObject]) {
            $value = switch ($value.from) {
                'adminCredential' { New-Credential $value.userName $env:VDX_ADMIN_PASSWORD }
                'appCredential' { New-Credential $value.userName $env:VDX_APP_SECRET }
                'pfxPath' { $pfx.Path }
                'pfxPassword' { if ($value.as -eq 'String') { $pfx.Password } else { ConvertTo-SecureString -String $pfx.Password -AsPlainText -Force } }
                'instanceCount' { [int] $env:VDX_INSTANCE_COUNT }
                default { throw "Unknown value source '$($value.from)' for -$($property.Name)." }
            }
        }
        $parameters[$property.Name] = $value
    }
    return $parameters
}

switch ($Action) {
    'deploy' {
        $tags = @{}
        foreach ($tag in $document.tags.PSObject.Properties) { $tags[$tag.Name] = $tag.Value }
        # Pulumi creates only after a failed create left nothing recorded: start from an empty group.
        Remove-DynamicGroup
        New-AzResourceGroup -Name $document.resourceGroup -Location $document.location -Tag $tags -Force | Out-Null
        $script = Get-Package
        $pfx = Get-Pfx
        try {
            $parameters = Get-Parameters $pfx
            Push-Location (Split-Path -Parent $script)
            try { & $script @parameters } finally { Pop-Location }
        } finally {
            if ($pfx.Temporary) { Remove-Item -LiteralPath $pfx.Path -Force }
        }
    }
    'remove' { Remove-DynamicGroup }
    'scale' {
        $scaleSet = Get-AzVmss -ResourceGroupName $document.resourceGroup -VMScaleSetName $document.scaleSetName
        Update-AzVmss -ResourceGroupName $document.resourceGroup -VMScaleSetName $document.scaleSetName -VirtualMachineScaleSet $scaleSet -SkuCapacity ([int] $env:VDX_INSTANCE_COUNT) | Out-Null
    }
}
